#!/usr/bin/env bash
# The second engine of the test suite, and the peers the benchmarks measure
# against: Docker 26.1.5 (its embedded BuildKit is the v0.13 line), containerd
# and tini, docker-buildx 0.13.1 and docker-compose 2.26.1, all from Debian
# trixie. They are fetched with `apt-get download` against a sources list of
# our own (the system's Debian mirror, trixie suite) and unpacked with
# `dpkg -x` into a cache directory: nothing is installed over the system's
# packages, and the system's runc stays the one used (trixie's needs glibc 2.38).
# Prints the unpacked root (its usr/sbin/dockerd is the engine) on stdout.
set -euo pipefail

cache="${BAKE_TRIXIE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bake/trixie}"
root="$cache/root"
packages=(docker.io docker-cli containerd tini docker-buildx docker-compose)
if [ -x "$root/usr/sbin/dockerd" ] && [ -x "$root/usr/libexec/docker/cli-plugins/docker-compose" ] && [ -f "$cache/done" ]; then
  echo "$root"
  exit 0
fi

# The mirror the system already uses for bookworm serves trixie too.
mirror=$(apt-get indextargets --format '$(REPO_URI) $(CODENAME) $(COMPONENT)' 2>/dev/null | awk '$2 == "bookworm" && $3 == "main" { print $1; exit }')
if [ -z "$mirror" ]; then
  echo "No Debian bookworm source is configured for apt, so trixie's Docker packages cannot be fetched: add one to /etc/apt/sources.list.d, or set DOCKER_HOST to run the suite on an engine you have." >&2
  exit 1
fi
rm -rf "$cache"
mkdir -p "$cache/lists/partial" "$cache/archives/partial" "$cache/debs" "$root"
printf 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s trixie main\n' "$mirror" >"$cache/sources.list"
apt_options=(
  -o "Dir::Etc::SourceList=$cache/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=$cache/lists" -o "Dir::Cache=$cache" -o "Dir::Cache::archives=$cache/archives"
  -o APT::Sandbox::User=root -o Debug::NoLocking=1
)
echo "fetching Docker 26 and its peers from Debian trixie (${packages[*]})" >&2
apt-get "${apt_options[@]}" -qq update >&2
(cd "$cache/debs" && apt-get "${apt_options[@]}" -qq download "${packages[@]}" >&2)
for deb in "$cache"/debs/*.deb; do dpkg -x "$deb" "$root"; done
rm -rf "$cache/debs" "$cache/lists" "$cache/archives"
touch "$cache/done"
echo "$root"
