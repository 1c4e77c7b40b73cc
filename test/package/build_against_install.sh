#!/usr/bin/env bash
# Installs the build in BUILD into a fresh prefix, then configures, builds and runs test/package against it,
# with a key of its own: find_package(Spine), spine_add_extension and Spine::hostrt as a user would use them,
# and the pkg-config file. Prints what the program printed. Usage: build_against_install.sh BUILD WORK
set -euo pipefail
BUILD=$1
WORK=$2
HERE=$(cd "$(dirname "$0")" && pwd)
rm -rf "$WORK" && mkdir -p "$WORK"
cmake --install "$BUILD" --prefix "$WORK/prefix" > "$WORK/install.log"
"$WORK/prefix/bin/spinec" --keygen "$WORK/key" > /dev/null
cmake -S "$HERE" -B "$WORK/build" -G Ninja -DCMAKE_PREFIX_PATH="$WORK/prefix" -DCMAKE_BUILD_TYPE=Release \
  > "$WORK/configure.log"
SPINE_DEV_KEY="$WORK/key.key" cmake --build "$WORK/build" > "$WORK/build.log"
"$WORK/build/counter-host" "$WORK/key.pub"
PKG_CONFIG_PATH="$WORK/prefix/lib/pkgconfig" pkg-config --cflags --libs spine | sed "s|$WORK/prefix|PREFIX|g"
