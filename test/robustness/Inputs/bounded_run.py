#!/usr/bin/env python3
"""usage: bounded_run.py MAX_BYTES TIMEOUT OUT -- COMMAND...

Runs COMMAND with stdout and stderr merged into one pipe, keeps at most MAX_BYTES of it in OUT, and prints
`status N` (the command's exit status). If the output exceeds MAX_BYTES or the command runs longer than TIMEOUT
seconds, the command is killed, the reason is printed, and this script exits 1 -- so a runaway output can neither
fill the disk nor hang the test."""
import subprocess
import sys
import threading


def main():
    limit, timeout, out_path = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
    cmd = sys.argv[sys.argv.index("--") + 1:]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    timer = threading.Timer(timeout, p.kill)
    timer.start()
    total, exceeded = 0, False
    with open(out_path, "wb") as out:
        while True:
            chunk = p.stdout.read(1 << 20)
            if not chunk:
                break
            if total + len(chunk) > limit:
                out.write(chunk[:limit - total])
                exceeded = True
                p.kill()
                break
            out.write(chunk)
            total += len(chunk)
    status = p.wait()
    timed_out = not timer.is_alive() and not exceeded and status < 0
    timer.cancel()
    if exceeded:
        print(f"output exceeded {limit} bytes")
        return 1
    if timed_out:
        print(f"timed out after {timeout:g} s")
        return 1
    print(f"status {status}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
