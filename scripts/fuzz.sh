#!/usr/bin/env bash
# Builds the front-end, image-loader, ELF-linker and host-request fuzzers with clang++-19 (ASan + UBSan + libFuzzer)
# and runs them, the first on a seed corpus made of every .spx/.spi file in the repository, the second on a sample
# image, the third on objects spinec made, the fourth on the requests the generated host stubs send:
# `fuzz.sh SECONDS` (default 60 each) for open-ended fuzzing, or `fuzz.sh --runs N` for N inputs from a fixed
# seed (repeatable, as CI uses it). Exits non-zero on any crash, sanitizer report, timeout or out-of-memory;
# the reproducer (crash-*, timeout-*) is left in the build folder.
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

# The image loader, seeded with a signed sample image and its unsigned body (image_fuzzer signs the inputs whose
# first byte is odd, so that it reaches the section decoder too).
cmake --build "$BUILD" --target image_fuzzer spine-image spine-image-sample -j "$(nproc)"
icorpus="$BUILD/image-corpus"
mkdir -p "$icorpus"
rm -f "$BUILD/seed.key" "$BUILD/seed.pub"
./nicrt/spine-image keygen "$BUILD/seed" >/dev/null
./test/spine-image-sample "$BUILD/seed.key" "$BUILD/seed.spxo"
python3 -c "import sys; b = open(sys.argv[1], 'rb').read(); open(sys.argv[2] + '/signed', 'wb').write(b'\0' + b); \
open(sys.argv[2] + '/body', 'wb').write(b'\1' + b[:-100])" "$BUILD/seed.spxo" "$icorpus"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  ./fuzz/image_fuzzer "${LIMIT[@]}" -timeout=10 -rss_limit_mb=2048 -max_len=4096 -print_final_stats=1 "$icorpus"

# The runtime's ELF linker, seeded with objects spinec made from a sample and test extensions (fuzz/seeds/elf,
# kept in the repository so that the fuzz build needs no code generator).
cmake --build "$BUILD" --target elf_fuzzer -j "$(nproc)"
ecorpus="$BUILD/elf-corpus"
mkdir -p "$ecorpus"
cp "$ROOT"/fuzz/seeds/elf/*.o "$ecorpus"/
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  ./fuzz/elf_fuzzer "${LIMIT[@]}" -timeout=10 -rss_limit_mb=2048 -max_len=16384 -print_final_stats=1 "$ecorpus"
# Host requests (fuzz/request_fuzzer.cpp): the runtime's header checks and the request decoder spinec generates,
# on AllTypesNic compiled by this build's spinec (plain and --oracle), seeded with what the generated host stubs
# send (fuzz/request_seeds).
cmake --build "$BUILD" --target request_fuzzer request_seeds -j "$(nproc)"
rcorpus="$BUILD/request-corpus"
mkdir -p "$rcorpus"
./fuzz/request_seeds "$rcorpus" >/dev/null
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  ./fuzz/request_fuzzer "${LIMIT[@]}" -timeout=10 -rss_limit_mb=2048 -max_len=4096 -print_final_stats=1 "$rcorpus"
echo "fuzz: no crash, hang or sanitizer report in $WHAT (front end, image loader, ELF linker and host requests)"
