"""Compiles every .spx file of the given folders through the whole back end at -O0 and -O2.

A file the front end accepts must compile (exit 0); one it refuses must get its diagnostics (exit 1). Anything
else -- a crash, a signal, an internal error such as IR that does not verify -- is a bug, printed with the file.
Usage: compile_all.py SPINEC OUTDIR FOLDER...
"""
import concurrent.futures
import os
import subprocess
import sys

spinec, outdir, folders = sys.argv[1], sys.argv[2], sys.argv[3:]
os.makedirs(outdir, exist_ok=True)


def compile_one(job):
    n, folder, path, level = job
    cmd = [spinec, "--emit=obj", level, "-I", folder, "-I", os.path.join(folder, "Inputs"), path,
           "-o", os.path.join(outdir, f"out{n}.o")]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    internal = "internal error" in r.stderr
    if r.returncode == 0 and not internal:
        return "compiled", None
    if r.returncode == 1 and not internal and ": error: " in r.stderr:
        return "refused", None
    return "bug", f"BUG: {path} {level}: exit {r.returncode}\n{r.stderr[-2000:]}"


jobs = []
for folder in folders:
    for name in sorted(os.listdir(folder)):
        if name.endswith(".spx"):
            for level in ("-O0", "-O2"):
                jobs.append((len(jobs), folder, os.path.join(folder, name), level))
counts = {"compiled": 0, "refused": 0, "bug": 0}
with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
    for kind, message in pool.map(compile_one, jobs):
        counts[kind] += 1
        if message:
            print(message)
print(f"{counts['compiled']} compiled, {counts['refused']} refused with diagnostics, {counts['bug']} bugs")
sys.exit(1 if counts["bug"] else 0)
