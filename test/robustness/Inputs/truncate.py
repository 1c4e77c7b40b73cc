#!/usr/bin/env python3
"""Feeds spinec every prefix of a valid source file cut at every STEP-th byte and checks that each one is
rejected cleanly: exit status 1 (never a signal, an abort, a timeout or status >= 128), and at least one
`file:line:col: error:` diagnostic on stderr, with no sign of an internal failure.

usage: truncate.py SPINEC SAMPLE WORKDIR [--step N] [--timeout SECONDS]

A prefix that differs from the whole file only by trailing whitespace is a complete program and must be
accepted (exit status 0). Prints one summary line on success; on failure lists every bad cut and keeps the
offending prefix in WORKDIR as fail-<offset>-<name> so it can be reproduced, then exits 1.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("spinec")
    ap.add_argument("sample")
    ap.add_argument("workdir")
    ap.add_argument("--step", type=int, default=7)
    ap.add_argument("--timeout", type=float, default=20.0)
    args = ap.parse_args()

    with open(args.sample, "rb") as f:
        full = f.read()
    name = os.path.basename(args.sample)
    shutil.rmtree(args.workdir, ignore_errors=True)
    os.makedirs(args.workdir)
    # The file keeps the sample's name: an interface's file name must match the name it declares.
    cut_path = os.path.join(args.workdir, name)
    diag = re.compile(r"^" + re.escape(cut_path) + r":\d+:\d+: (fatal )?error: .+$", re.M)
    internal = re.compile(r"Assertion|terminate called|Segmentation|Aborted|internal error|Stack dump|UNREACHABLE")

    failures = []
    checked = 0
    for n in range(0, len(full), args.step):
        prefix = full[:n]
        complete = prefix.rstrip() == full.rstrip()
        with open(cut_path, "wb") as f:
            f.write(prefix)
        checked += 1
        why = None
        try:
            p = subprocess.run([args.spinec, "-fsyntax-only", cut_path], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=args.timeout)
            err = p.stderr.decode("latin-1")
            if p.returncode < 0 or p.returncode >= 128:
                why = f"killed by a signal or crashed (status {p.returncode})"
            elif complete:
                if p.returncode != 0:
                    why = f"complete program rejected with status {p.returncode}"
            elif p.returncode != 1:
                why = f"exit status {p.returncode}, expected 1"
            elif not diag.search(err):
                why = "no 'file:line:col: error:' diagnostic"
            if why is None and internal.search(err):
                why = "internal failure reported"
        except subprocess.TimeoutExpired:
            why = f"timed out after {args.timeout:g}s (hang?)"
            err = ""
        if why:
            keep = os.path.join(args.workdir, f"fail-{n}-{name}")
            shutil.copyfile(cut_path, keep)
            tail = prefix[-30:].decode("latin-1")
            failures.append(f"cut at byte {n} (...{tail!r}): {why}; kept as {keep}\n{err[:600]}")

    if failures:
        print(f"FAILED: {len(failures)} of {checked} prefixes of {name} were not rejected cleanly")
        for f in failures:
            print(f)
        return 1
    print(f"OK: {checked} prefixes of {name} (every {args.step} bytes of {len(full)}) rejected cleanly")
    return 0


if __name__ == "__main__":
    sys.exit(main())
