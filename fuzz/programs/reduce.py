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


def indent(line):
    return len(line) - len(line.lstrip()) if line.strip() else None


def construct_ends(lines, i):
    """Last lines of the constructs starting at line i, largest first: the lines indented deeper than i, then
    also the lines at i's indentation that continue it (ELSE, EXCEPT, FINALLY, |, UNTIL, END ...)."""
    d = indent(lines[i])
    if d is None:
        return [i]
    j = i
    while j + 1 < len(lines) and (indent(lines[j + 1]) is None or indent(lines[j + 1]) > d):
        j += 1
    ends = [j]
    k = j
    cont = ("END", "ELSE", "ELSIF", "EXCEPT", "FINALLY", "|", "UNTIL", "BEGIN")
    while k + 1 < len(lines) and indent(lines[k + 1]) == d and lines[k + 1].strip().startswith(cont):
        k += 1
        while k + 1 < len(lines) and (indent(lines[k + 1]) is None or indent(lines[k + 1]) > d):
            k += 1
        ends.append(k)
    return sorted(set(ends), reverse=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("program")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--spinec")
    ap.add_argument("--interp")
    ap.add_argument("--max-tests", type=int, default=1000)
    ap.add_argument("--configs", help="comma-separated configurations to run (default: O0 and those the finding names)")
    a = ap.parse_args()
    spinec = run.find_spinec(a.spinec)
    cfgs = run.configurations(spinec, run.find_interp(a.interp, spinec))
    lines = open(a.program).read().split("\n")
    work = tempfile.mkdtemp(prefix="spx-reduce-")
    path = os.path.join(work, "X.spx")
    tests = [0]
    if a.configs:
        wanted = set(a.configs.split(","))
    else:   # only the configurations the finding names: a reduction step then costs two or three runs, not five
        with open(path, "w") as f:
            f.write("\n".join(lines))
        probs = run.judge(run.check_program(path, cfgs, work))
        wanted = {n for n, _ in cfgs if any(re.search(r"\b%s\b" % re.escape(n), p) for p in probs)}
    cfgs = [c for c in cfgs if c[0] == "O0" or c[0] in wanted]

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

    def keep(cand):
        if tests[0] >= a.max_tests or verdict(cand) != target:
            return False
        with open(a.output, "w") as f:
            f.write("\n".join(cand))
        return True

    def chunks(lines, n):
        while n >= 1 and tests[0] < a.max_tests:
            i = 0
            progress = False
            while i < len(lines) and tests[0] < a.max_tests:
                cand = lines[:i] + lines[i + n:]
                if keep(cand):
                    lines = cand
                    progress = True
                else:
                    i += n
            if not progress:
                n //= 2
        return lines

    def constructs(lines):
        progress = True
        while progress and tests[0] < a.max_tests:
            progress = False
            i = 0
            while i < len(lines) and tests[0] < a.max_tests:
                for j in construct_ends(lines, i):
                    if j == i:
                        continue
                    cand = lines[:i] + lines[j + 1:]
                    if keep(cand):
                        lines = cand
                        progress = True
                        break
                else:
                    i += 1
        return lines

    # 1. big chunks of lines (the main body's statements, unused procedures); 2. whole constructs, found by
    # indentation (a line and everything indented under it, with its END); 3. single lines
    lines = chunks(lines, max(len(lines) // 8, 2))
    lines = constructs(lines)
    lines = chunks(lines, 4)
    with open(a.output, "w") as f:
        f.write("\n".join(lines))
    print("reduce: %d lines after %d runs -> %s (%s)" % (len(lines), tests[0], a.output, ", ".join(target)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
