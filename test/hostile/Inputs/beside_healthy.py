#!/usr/bin/env python3
"""Runs a hostile extension beside the healthy one (Inputs/Healthy.spx) on one spine-nic fed a real capture.

The healthy extension runs alone first, then after the hostile image in dispatch order (so the hostile one
sees every packet first). Passes (exit 0) when the NIC kept running (exit status 0), the healthy extension
handled every packet, no packet buffer is left in use, and its output capture is byte for byte the same as alone; prints what spine-nic wrote
(faults, refusals, counters) for FileCheck. Extra arguments after the image go to spine-nic's second run.
"""
import argparse
import os
import subprocess
import sys


def run(cmd):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--spinec", required=True)
    ap.add_argument("--spine-nic", required=True)
    ap.add_argument("--trust", required=True)
    ap.add_argument("--capture", required=True)
    ap.add_argument("--healthy", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("image")
    ap.add_argument("nic_args", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    healthy = os.path.join(a.work, "healthy.spxo")
    r = run([a.spinec, a.healthy, "-o", healthy])
    if r.returncode != 0:
        sys.exit("beside_healthy: the healthy extension did not compile:\n" + r.stderr)

    def nic(name, deploys, extra):
        out = os.path.join(a.work, name + ".pcap")
        cmd = [a.spine_nic, "--name", name, "--trust", a.trust, "--port", "pcap:%s,%s" % (a.capture, out),
               "--exit-on-eof", "--keep-going", "--no-control"] + extra
        for d in deploys:
            cmd += ["--deploy", d]
        return run(cmd), out

    alone, alone_out = nic("alone", [healthy], [])
    if alone.returncode != 0:
        sys.exit("beside_healthy: the healthy extension alone failed:\n" + alone.stderr)
    both, both_out = nic("beside", [a.image, healthy], a.nic_args)
    sys.stdout.write(both.stdout)
    sys.stdout.write(both.stderr)
    if both.returncode != 0:
        sys.exit("beside_healthy: spine-nic stopped with status %d" % both.returncode)
    def counters(stderr):  # "Healthy (running): packets 32, sent 32, ..." without the extension's id
        lines = [l[l.index("Healthy (running)"):] for l in stderr.splitlines() if "Healthy (running)" in l]
        return lines[0] if lines else None
    if counters(alone.stderr) is None or counters(alone.stderr) != counters(both.stderr):
        sys.exit("beside_healthy: the healthy extension's counters differ from its run alone (%s, then %s)" %
                 (counters(alone.stderr), counters(both.stderr)))
    if "pool: 0 buffers in use" not in both.stderr:
        sys.exit("beside_healthy: the NIC still holds packet buffers after the run (a leak)")
    with open(alone_out, "rb") as f1, open(both_out, "rb") as f2:
        x, y = f1.read(), f2.read()
    if x != y:
        sys.exit("beside_healthy: the healthy extension's output differs from its run alone (%d vs %d bytes)" %
                 (len(x), len(y)))
    print("beside_healthy: healthy output identical to its run alone (%d bytes)" % len(x))


if __name__ == "__main__":
    main()
