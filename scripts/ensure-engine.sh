#!/usr/bin/env bash
# Makes sure bake has an engine for the demo: installs Debian's dockerd and
# what it needs (install-packages.sh), starts bake's embedded engine when no
# engine answers, and imports the offline BusyBox base image. Prints
# "started" on stdout when it started the engine.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-packages.sh

if ! bin/bake engine status >/dev/null 2>&1; then
  bin/bake engine start >&2
  echo started
fi
node scripts/busybox-image.mjs >&2
