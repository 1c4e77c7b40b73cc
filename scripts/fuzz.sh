#!/usr/bin/env bash
# Builds the front-end fuzzer with clang++-19 (ASan + UBSan + libFuzzer) and runs it on a seed corpus made of
# every .spx/.spi file in the repository: `fuzz.sh SECONDS` (default 60) for open-ended fuzzing, or
# `fuzz.sh --runs N` for N inputs from a fixed seed (repeatable, as CI uses it). Exits non-zero on any crash,
# sanitizer report, timeout or out-of-memory; the reproducer (crash-*, timeout-*) is left in the build folder.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build-fuzz}
if [ "${1:-}" = "--runs" ]; then
  LIMIT=(-runs="${2:?--runs needs a count}" -seed=1)
  WHAT="${2} runs"
else
  LIMIT=(-max_total_time="${1:-60}")
  WHAT="${1:-60}s"
fi
cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++-19 -DSPINE_FUZZ=ON \
  -DSPINE_WERROR=ON >/dev/null
cmake --build "$BUILD" --target frontend_fuzzer -j "$(nproc)"
corpus="$BUILD/corpus"
mkdir -p "$corpus"
find "$ROOT/test" "$ROOT/samples" "$ROOT/stdlib" \( -name '*.spx' -o -name '*.spi' \) -size -64k \
  -exec cp -t "$corpus" {} + 2>/dev/null || true
cd "$BUILD"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  ./fuzz/frontend_fuzzer "${LIMIT[@]}" -timeout=10 -rss_limit_mb=4096 -max_len=65536 \
  -print_final_stats=1 "$corpus"
echo "fuzz: no crash, hang or sanitizer report in $WHAT"
