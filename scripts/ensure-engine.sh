#!/usr/bin/env bash
# Makes sure the integration tests have an engine: installs Debian's dockerd,
# a static BusyBox, iproute2, docker-registry (the registry-auth tests run
# their own), openssh-client (ssh-agent for the ssh tests) and openssl (the
# TLS builder tests' certificates) when missing (as root), starts bake's embedded
# engine when no engine answers, and imports the offline BusyBox base image.
# Prints "started" on stdout when it started the engine, so the caller can stop it.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

missing=()
for pkg in docker.io busybox-static iproute2 docker-registry openssh-client openssl; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "The integration tests need ${missing[*]}: run  sudo apt-get install ${missing[*]}" >&2
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
fi

if ! bin/bake engine status >/dev/null 2>&1; then
  bin/bake engine start >&2
  echo started
fi
node scripts/busybox-image.mjs >&2
