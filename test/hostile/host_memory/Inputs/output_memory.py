# Runs two commands, each with its standard output counted and dropped, and checks that the second (which
# writes `bytes` more) neither loses output nor needs more than `limit_mib` MiB of memory beyond the first.
# Usage: output_memory.py <bytes> <limit_mib> <small command...> -- <big command...>
import resource
import subprocess
import sys


def run(cmd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE)
    written = 0
    while True:
        chunk = p.stdout.read(1 << 20)
        if not chunk:
            break
        written += len(chunk)
    rc = p.wait()
    # ru_maxrss of the children is the largest of them so far; the small command runs first.
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return written, max(rss, before), rc


want, limit = int(sys.argv[1]), int(sys.argv[2])
split = sys.argv.index("--")
small_out, small_rss, small_rc = run(sys.argv[3:split])
big_out, big_rss, big_rc = run(sys.argv[split + 1:])
grown = (big_rss - small_rss) // 1024
print(f"small: {small_out} bytes, {small_rss // 1024} MiB; big: {big_out} bytes, {big_rss // 1024} MiB; grown {grown} MiB")
if small_rc != 0 or big_rc != 0:
    sys.exit(f"exit status {small_rc}, {big_rc}")
if big_out - small_out != want:
    sys.exit(f"output lost: {big_out - small_out} bytes more, not {want}")
if grown > limit:
    sys.exit(f"the runtime grew by {grown} MiB for output without a newline (limit {limit} MiB)")
print("bounded")
