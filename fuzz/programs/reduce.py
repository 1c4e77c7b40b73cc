#!/usr/bin/env python3
"""reduce.py PROGRAM.spx -o MIN.spx [--spinec PATH]: minimise a program while its finding persists.

The finding is the set of problem kinds run.py reports for the program (stdout differs, status differs, crash,
timeout, oracle trap, ...). Deletes chunks of lines, then single lines (a line-based delta debugging), keeping a
deletion when the program still compiles (at -O0) and the same kinds of problem remain.
"""
import argparse
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402


def kinds(problems):
    return sorted(set(re.sub(r":.*", "", re.sub(r" \(status.*", "", p)) for p in problems))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("program")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--spinec")
    ap.add_argument("--max-tests", type=int, default=400)
    a = ap.parse_args()
    cfgs = run.configurations(run.find_spinec(a.spinec))
    lines = open(a.program).read().split("\n")
    work = tempfile.mkdtemp(prefix="spx-reduce-")
    path = os.path.join(work, "X.spx")
    tests = [0]

    def verdict(ls):
        with open(path, "w") as f:
            f.write("\n".join(ls))
        tests[0] += 1
        res = run.check_program(path, cfgs, work)
        probs = run.judge(res)
        if any("compile error" in p for p in probs):
            return None
        return kinds(probs)

    target = verdict(lines)
    if not target:
        print("reduce: no finding to keep")
        return 1
    n = max(len(lines) // 4, 1)
    while n >= 1 and tests[0] < a.max_tests:
        i = 0
        progress = False
        while i < len(lines) and tests[0] < a.max_tests:
            cand = lines[:i] + lines[i + n:]
            if verdict(cand) == target:
                lines = cand
                progress = True
                with open(a.output, "w") as f:
                    f.write("\n".join(lines))
            else:
                i += n
        if not progress:
            n //= 2
    with open(a.output, "w") as f:
        f.write("\n".join(lines))
    print("reduce: %d lines after %d runs -> %s (%s)" % (len(lines), tests[0], a.output, ", ".join(target)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
