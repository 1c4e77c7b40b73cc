#!/usr/bin/env bash
# Builds the front-end fuzzer with clang++-19 (ASan + UBSan + libFuzzer) and runs it for SECONDS (default 60)
# on a seed corpus made of every .spx/.spi file in the repository. Exits non-zero on any crash, sanitizer
# report, timeout or out-of-memory; the reproducer is left in the build folder.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build-fuzz}
SECONDS_TO_RUN=${1:-60}
cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++-19 -DSPINE_FUZZ=ON \
  -DSPINE_WERROR=ON >/dev/null
cmake --build "$BUILD" --target frontend_fuzzer -j "$(nproc)"
corpus="$BUILD/corpus"
mkdir -p "$corpus"
find "$ROOT/test" "$ROOT/samples" "$ROOT/stdlib" \( -name '*.spx' -o -name '*.spi' \) -size -64k \
  -exec cp -t "$corpus" {} + 2>/dev/null || true
cd "$BUILD"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  ./fuzz/frontend_fuzzer -max_total_time="$SECONDS_TO_RUN" -timeout=10 -rss_limit_mb=4096 -max_len=65536 \
  -print_final_stats=1 "$corpus"
echo "fuzz: no crash, hang or sanitizer report in ${SECONDS_TO_RUN}s"
