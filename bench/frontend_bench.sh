#!/usr/bin/env bash
# Front-end (parse + semantic check) benchmark: spinec -fsyntax-only on a generated .spx module versus
# clang-19 -fsyntax-only on the same program written in C. See bench/README.md.
#
# usage: bench/frontend_bench.sh [SPINEC] [--lines N] [--runs N] [--seed S] [--keep]
#   SPINEC     path to the spinec binary (default: build/compiler/spinec)
#   --lines N  size of the generated .spx module (default 50000)
#   --runs N   timed runs per compiler; the best (fastest) one is reported (default 5)
#   --seed S   generator seed (default: the generator's fixed seed)
#   --keep     keep the temporary directory with the generated files and print its path
# environment: CLANG (default clang-19), PYTHON (default python3), SPINEC_FLAGS (extra spinec flags)
#
# Exits non-zero if either compiler rejects its input: that is a correctness check of the generator and of
# spinec. There are no timing thresholds.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
spinec="build/compiler/spinec"
lines=50000
runs=5
seed=""
keep=0
clang="${CLANG:-clang-19}"
python="${PYTHON:-python3}"
read -r -a spinec_flags <<<"${SPINEC_FLAGS:-}"

while [[ $# -gt 0 ]]; do
  case "$1" in
    --lines) lines="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "frontend_bench: unknown option $1" >&2; exit 2 ;;
    *) spinec="$1"; shift ;;
  esac
done

# The default path is relative to the repository root when it does not exist relative to the current directory.
if [[ ! -x "$spinec" && "$spinec" != /* && -x "$here/../$spinec" ]]; then
  spinec="$here/../$spinec"
fi
if [[ ! -x "$spinec" ]]; then
  echo "frontend_bench: spinec binary not found or not executable: $spinec" >&2
  exit 2
fi
if ! command -v "$clang" >/dev/null 2>&1; then
  echo "frontend_bench: C compiler not found: $clang" >&2
  exit 2
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/spine-frontend-bench.XXXXXX")"
if [[ $keep -eq 0 ]]; then
  trap 'rm -rf "$tmp"' EXIT
fi

gen_args=(--lines "$lines" -o "$tmp/prog.spx" --c "$tmp/prog.c")
if [[ -n "$seed" ]]; then
  gen_args+=(--seed "$seed")
fi
"$python" "$here/gen_frontend_program.py" "${gen_args[@]}"

spx_lines=$(wc -l <"$tmp/prog.spx")
c_lines=$(wc -l <"$tmp/prog.c")

# Correctness first, with diagnostics shown: both files must be accepted. The C file is also held to
# -Wall -Werror, since the generator promises warning-free C.
check() {
  local what="$1"; shift
  local log="$tmp/check.log"
  if ! "$@" >"$log" 2>&1; then
    echo "frontend_bench: $what rejected the generated program:" >&2
    head -n 40 "$log" >&2
    exit 1
  fi
  if grep -q 'error:' "$log"; then
    echo "frontend_bench: $what reported errors (but exited 0):" >&2
    head -n 40 "$log" >&2
    exit 1
  fi
}
check spinec "$spinec" "${spinec_flags[@]}" -fsyntax-only "$tmp/prog.spx"
check "$clang" "$clang" -std=c11 -Wall -Werror -fsyntax-only "$tmp/prog.c"

# best_time RUNS CMD...: the fastest wall-clock time of RUNS runs, in seconds; fails if any run fails.
best_time() {
  "$python" - "$@" <<'EOF'
import subprocess, sys, time
runs = int(sys.argv[1])
cmd = sys.argv[2:]
best = None
for _ in range(runs):
    t0 = time.perf_counter()
    rc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    dt = time.perf_counter() - t0
    if rc != 0:
        sys.stderr.write('frontend_bench: %s exited with %d during timing\n' % (cmd[0], rc))
        sys.exit(1)
    best = dt if best is None else min(best, dt)
print('%.6f' % best)
EOF
}

spinec_t=$(best_time "$runs" "$spinec" "${spinec_flags[@]}" -fsyntax-only "$tmp/prog.spx")
clang_t=$(best_time "$runs" "$clang" -std=c11 -fsyntax-only "$tmp/prog.c")

"$python" - "$spx_lines" "$spinec_t" "$c_lines" "$clang_t" "$runs" "$spinec" "$clang" <<'EOF'
import os, sys
sl, st, cl, ct, runs = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
spinec, clang = os.path.basename(sys.argv[6]), os.path.basename(sys.argv[7])
print('front-end benchmark (best of %s runs, -fsyntax-only)' % runs)
print('  %-10s %8d lines  %8.3f s  %10.0f lines/s' % (spinec, sl, st, sl / st))
print('  %-10s %8d lines  %8.3f s  %10.0f lines/s' % (clang, cl, ct, cl / ct))
print('ratio (spinec time / clang time): %.2f' % (st / ct))
print('ratio per line (spinec s/line / clang s/line): %.2f' % ((st / sl) / (ct / cl)))
EOF

if [[ $keep -eq 1 ]]; then
  echo "generated files kept in $tmp"
fi
