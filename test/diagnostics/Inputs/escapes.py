#!/usr/bin/env python3
"""usage: escapes.py none|some FILE...

Checks that each FILE holds diagnostics ("error:" somewhere) and either no ANSI escape byte at all (`none`) or
at least one escape sequence (`some`). Prints the offending files and exits 1 if any fails."""
import sys

want = sys.argv[1]
bad = []
for path in sys.argv[2:]:
    data = open(path, "rb").read()
    has = b"\x1b[" in data
    if b"error:" not in data or (want == "none" and (has or b"\x1b" in data)) or (want == "some" and not has):
        bad.append(path)
for path in bad:
    print(f"{path}: expected {want} escapes in a diagnostic output")
sys.exit(1 if bad else 0)
