#!/usr/bin/env bash
# The main job on its embedded default. Until the back end lands (issue 3), SPINE's main job is the front end:
# check the bundled samples, print the fingerprints of their interfaces, and show a hostile extension refused.
set -uo pipefail
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SPINEC="$ROOT/$BUILD/compiler/spinec"
cd "$ROOT"

step() { printf '\n== %s\n' "$*"; }

step "$("$SPINEC" --version)"
status=0
for sample in samples/*/; do
  name=$(basename "$sample")
  [ "$name" = hostile ] && continue
  for src in "$sample"*.spx; do
    [ -e "$src" ] || continue
    if "$SPINEC" -fsyntax-only -I "$sample" "$src"; then
      echo "checked $src: ok"
    else
      echo "checked $src: FAILED"; status=1
    fi
  done
done

step "interface fingerprints (images record them so a stale import is refused at link time)"
for spi in stdlib/*.spi samples/*/*.spi; do
  [ -e "$spi" ] || continue
  "$SPINEC" --print-fingerprint -I "$(dirname "$spi")" "$spi" || status=1
done

step "a hostile extension is refused at compile time (samples/hostile/forge.spx)"
if "$SPINEC" -fsyntax-only samples/hostile/forge.spx; then
  echo "UNEXPECTED: the hostile extension was accepted"; status=1
else
  echo "(refused, as it must be)"
fi
exit $status
