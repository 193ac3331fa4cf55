#!/bin/sh
# A tiny HTTP API: answers every request with the build tag.
echo "api $(cat /app/VERSION) listening on :8080"
while true; do
  printf 'HTTP/1.0 200 OK\r\n\r\n{"version":"%s"}\n' "$(cat /app/VERSION)" | nc -l -p 8080
done
