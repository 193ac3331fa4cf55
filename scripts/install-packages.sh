#!/usr/bin/env bash
# Installs the Debian packages bake's engine needs when they are missing (as
# root; otherwise says what to install): dockerd (docker.io), iptables (the
# embedded engine's one firewall rule, engine-manager.ts), a static BusyBox
# (the offline base image) and iproute2 (the engine's bridge). With `tests`,
# also what only the tests use: docker-registry (the registry-auth tests run
# their own), openssh-client (ssh-agent for the ssh tests), openssl (the
# TLS builder tests' certificates), bash-static (a shell that keeps its
# history in a file, for the debug shells' history test; BusyBox's keeps none)
# and time (GNU time: the CLI fuzzer reads bin/bake's peak RSS from it).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

wanted=(docker.io iptables busybox-static iproute2)
[ "${1:-}" = tests ] && wanted+=(docker-registry openssh-client openssl bash-static time)
missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "bake's engine needs ${missing[*]}: run  sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "installing ${missing[*]}" >&2
# No service may start during the install: a system dockerd would want the host's iptables and docker0.
policy=/usr/sbin/policy-rc.d
own_policy=false
if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && own_policy=true; fi
trap '[ "$own_policy" = true ] && rm -f "$policy"' EXIT
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
