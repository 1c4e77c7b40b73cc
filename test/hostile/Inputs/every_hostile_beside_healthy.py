#!/usr/bin/env python3
"""Deploys every hostile extension of test/hostile/*/*.spx that compiles beside the healthy extension
(Inputs/Healthy.spx) on one spine-nic each, fed the real capture, and checks for each that the NIC kept running
(exit status 0) and that the healthy extension's counters and output are byte for byte those of its run alone.

Most of these were written for `spinec --run`: their module body traps, which on a NIC is a deploy refusal
("the image's module body failed: ..."), skipped by --keep-going. Handler extensions trap at run time. Files
that do not compile (the compile-time refusals, and the split-file tests whose parts are not one module) are
counted and skipped. Prints one line per image and a summary; exits 1 if any image broke the healthy output or
stopped the NIC."""
import argparse
import concurrent.futures
import glob
import os
import subprocess
import sys


def run(cmd, timeout=60):
    try:
        return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None


def counters(stderr):  # "Healthy (running): packets 32, sent 32, ..." without the extension's id
    lines = [l[l.index("Healthy (running)"):] for l in stderr.splitlines() if "Healthy (running)" in l]
    return lines[0] if lines else None


def main():
    ap = argparse.ArgumentParser()
    for o in ["--spinec", "--spine-nic", "--trust", "--capture", "--healthy", "--work", "--root"]:
        ap.add_argument(o, required=True)
    ap.add_argument("--jobs", type=int, default=2)
    # Options after --spinec's path that argparse does not know (lit's `--oracle` mode) are spinec's.
    a, spinec_options = ap.parse_known_args()
    os.makedirs(a.work, exist_ok=True)

    def nic(name, deploys):
        out = os.path.join(a.work, name + ".pcap")
        cmd = [a.spine_nic, "--name", name, "--trust", a.trust, "--port", "pcap:%s,%s" % (a.capture, out),
               "--exit-on-eof", "--keep-going", "--no-control"]
        for d in deploys:
            cmd += ["--deploy", d]
        r = run(cmd)
        data = open(out, "rb").read() if r is not None and os.path.exists(out) else None
        return r, data

    healthy = os.path.join(a.work, "healthy.spxo")
    r = run([a.spinec, a.healthy, "-o", healthy])
    if r is None or r.returncode != 0:
        sys.exit("every_hostile: the healthy extension did not compile")
    alone, alone_out = nic("alone", [healthy])
    if alone is None or alone.returncode != 0 or counters(alone.stderr) is None:
        sys.exit("every_hostile: the healthy extension alone failed")

    sources = sorted(f for f in glob.glob(os.path.join(a.root, "*", "*.spx"))
                     if os.path.basename(os.path.dirname(f)) != "Inputs")

    def one(i, src):
        rel = os.path.relpath(src, a.root)
        image = os.path.join(a.work, "%03d.spxo" % i)
        c = run([a.spinec] + spinec_options + [src, "-o", image])
        if c is None or c.returncode != 0:
            return rel, "compile-refused", None
        both, out = nic("h%03d" % i, [image, healthy])
        if both is None:
            return rel, "BROKEN", "spine-nic did not finish in 60 s"
        if both.returncode != 0:
            return rel, "BROKEN", "spine-nic stopped with status %d: %s" % (both.returncode, both.stderr[-400:])
        if counters(both.stderr) != counters(alone.stderr):
            return rel, "BROKEN", "healthy counters %s, alone %s" % (counters(both.stderr), counters(alone.stderr))
        if out != alone_out:
            return rel, "BROKEN", "healthy output differs from its run alone"
        if "image refused" in both.stderr:
            return rel, "refused-at-deploy", None
        if " trapped: " in both.stderr:
            return rel, "trapped", None
        return rel, "ran-clean", None

    with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as pool:
        results = list(pool.map(lambda ia: one(*ia), enumerate(sources)))
    tally = {}
    for rel, kind, why in results:
        tally[kind] = tally.get(kind, 0) + 1
        print("%s: %s%s" % (rel, kind, (": " + why) if why else ""))
    compiled = len(results) - tally.get("compile-refused", 0)
    print("every_hostile: %d images: %d refused at deploy, %d trapped at run time, %d ran clean, %d broke the "
          "healthy extension; %d compiled-refused skipped" %
          (compiled, tally.get("refused-at-deploy", 0), tally.get("trapped", 0), tally.get("ran-clean", 0),
           tally.get("BROKEN", 0), tally.get("compile-refused", 0)))
    if tally.get("BROKEN", 0):
        sys.exit(1)


if __name__ == "__main__":
    main()
