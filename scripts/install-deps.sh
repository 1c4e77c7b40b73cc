#!/usr/bin/env bash
# Installs the Debian packages SPINE builds and tests with, if any are missing. Idempotent and quiet when
# everything is there; needs root (or sudo) only when something must be installed.
set -euo pipefail

PACKAGES=(
  cmake ninja-build g++ make python3
  llvm-19-dev clang-19 libclang-rt-19-dev lld-19 llvm-19-tools
  antlr4 libantlr4-runtime-dev
  libfmt-dev doctest-dev
  gdb
  libsodium-dev pkg-config
  libpcap-dev libcli11-dev libbpf-dev bpftool tcpdump iproute2
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
