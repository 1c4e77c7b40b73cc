#!/usr/bin/env python3
"""run.py: generate random programs (gen.py) and run each in every configuration; report disagreements.

  run.py [--spinec PATH] [--seeds A:B] [--seconds N] [--jobs 2] [--keep DIR] [--no-reduce] [--no-avoid]

Configurations: `spinec --run -O0`, `spinec --run -O2`, and when available `spinec --run --oracle -O0/-O2`
(if `spinec --help` mentions --oracle) and `spx-interp FILE` (--interp, or next to spinec or in its interp/). A finding is: any
difference in stdout, exit status or trap line between configurations, any oracle trap, a spinec crash (exit
other than 0/1/3, or a signal), a timeout, a compile error (a generator or Sema bug), or a failed self-check
(a line "BUG: ..." the program prints when a property that holds by construction fails). Findings are saved under
--keep (program, outputs, a minimised program from reduce.py). Exit status 1 if there was any finding.
"""
import argparse
import collections
import concurrent.futures
import os
import re
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# Seconds per run; a sanitizer build (ctest sets SPX_FUZZ_TIMEOUT there) is many times slower.
TIMEOUT = int(os.environ.get("SPX_FUZZ_TIMEOUT", "60"))
MEM_LIMIT = 3 << 30
TRAP = re.compile(r"^(\S+?):(\d+): checked runtime error: (.*)$", re.M)


def limit():
    # AddressSanitizer reserves terabytes of address space for its shadow: a sanitizer build (SPX_FUZZ_NO_MEMORY_CAP,
    # set by ctest there) runs without the cap, bounded by the timeout and ASan's own allocator limits.
    if not os.environ.get("SPX_FUZZ_NO_MEMORY_CAP"):
        resource.setrlimit(resource.RLIMIT_AS, (MEM_LIMIT, MEM_LIMIT))


def find_spinec(arg):
    if arg:
        return os.path.abspath(arg)
    for c in ("build/compiler/spinec", "../../build/compiler/spinec"):
        p = os.path.join(os.getcwd(), c) if c.startswith("build") else os.path.join(HERE, c)
        if os.access(p, os.X_OK):
            return os.path.abspath(p)
    return "spinec"


def find_interp(arg, spinec):
    """spx-interp: given, or next to spinec, or in its interp/ subdirectory (where the build puts it)."""
    if arg:
        return os.path.abspath(arg)
    for p in (os.path.join(os.path.dirname(spinec), "spx-interp"),
              os.path.join(os.path.dirname(spinec), "interp", "spx-interp")):
        if os.access(p, os.X_OK):
            return p
    return None


def configurations(spinec, interp):
    cfgs = [("O0", [spinec, "--run", "-O0"]), ("O2", [spinec, "--run", "-O2"])]
    try:
        helptext = subprocess.run([spinec, "--help"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        helptext = ""
    if "--oracle" in helptext:
        cfgs += [("oracle-O0", [spinec, "--run", "--oracle", "-O0"]), ("oracle-O2", [spinec, "--run", "--oracle", "-O2"])]
    if interp:
        cfgs.append(("interp", [interp]))
    return cfgs


def run_one(cmd, files, cwd):
    """(status, stdout, trap line or stderr summary). status: exit code, 'timeout' or 'signal N'."""
    try:
        p = subprocess.run(cmd + files, capture_output=True, timeout=TIMEOUT, preexec_fn=limit, cwd=cwd)
    except subprocess.TimeoutExpired:
        return "timeout", b"", ""
    err = p.stderr.decode(errors="replace")
    status = p.returncode if p.returncode >= 0 else "signal %d" % -p.returncode
    m = TRAP.search(err)
    trap = "%s: %s" % (m.group(2), m.group(3)) if m else ""
    if status not in (0, 3):
        trap = trap or err.strip()[:400]
    return status, p.stdout, trap


def judge(results):
    """A list of problems (empty when every configuration agrees and nothing is suspicious)."""
    problems = []
    for name, (status, out, trap) in results.items():
        if status == 1:
            problems.append("%s: compile error: %s" % (name, trap.splitlines()[0] if trap else ""))
        elif status == "timeout":
            problems.append("%s: timeout" % name)
        elif status not in (0, 3):
            problems.append("%s: crash (status %s): %s" % (name, status, trap.splitlines()[0] if trap else ""))
        for line in out.decode(errors="replace").splitlines():
            if "BUG:" in line:      # a self-check of the program failed: wrong at this level, whatever others say
                problems.append("%s: self-check failed: %s" % (name, line[line.index("BUG:"):]))
                break
        if name.startswith("oracle") and "oracle" in trap:
            problems.append("%s: oracle trap: %s" % (name, trap))
    names = list(results)
    ref = names[0]
    for n in names[1:]:
        a, b = results[ref], results[n]
        if a[0] != b[0]:
            problems.append("status differs: %s=%s %s=%s" % (ref, a[0], n, b[0]))
        if a[1] != b[1]:
            problems.append("stdout differs: %s vs %s" % (ref, n))
        if a[2] != b[2] and a[0] == 3 and b[0] == 3:
            problems.append("trap differs: %s=%r %s=%r" % (ref, a[2], n, b[2]))
    return problems


UNIT = re.compile(r"^\(\*#--- (\S+) \*\)$", re.M)


def split_units(path):
    """The files to compile: the program itself, or, when it carries further units after `(*#--- F *)` markers
    (gen.py's import cycles), the main module and those units written to files of their own in units/."""
    text = open(path).read()
    marks = list(UNIT.finditer(text))
    if not marks:
        return [path]
    d = os.path.join(os.path.dirname(path), "units")
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        os.remove(os.path.join(d, f))
    files = [os.path.join(d, "X.spx")]
    with open(files[0], "w") as f:
        f.write(text[:marks[0].start()])
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        with open(os.path.join(d, m.group(1)), "w") as f:
            f.write(text[m.end():end])
        if m.group(1).endswith(".spx"):
            files.append(os.path.join(d, m.group(1)))
    return files


def check_program(path, cfgs, cwd):
    results = collections.OrderedDict()
    files = split_units(path)
    for name, cmd in cfgs:
        results[name] = run_one(cmd, files, cwd)
        if name == "O0" and results[name][0] == 1:
            break              # a compile error: the other configurations would say the same
    return results


def features_of(text):
    m = re.match(r"\(\* features: (.*?) \*\)", text)
    return m.group(1).split() if m else []


def do_seed(seed, cfgs, work, gen_args):
    text = subprocess.run([sys.executable, os.path.join(HERE, "gen.py"), str(seed)] + gen_args,
                          capture_output=True, text=True, check=True).stdout
    d = os.path.join(work, "s%d" % seed)
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "X.spx")
    with open(path, "w") as f:
        f.write(text)
    results = check_program(path, cfgs, d)
    return seed, text, results, judge(results)


def save_finding(keep, seed, text, results, problems, cfgs, reduce, interp):
    d = os.path.join(keep, "seed%d" % seed)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "X.spx"), "w") as f:
        f.write(text)
    with open(os.path.join(d, "problems.txt"), "w") as f:
        f.write("\n".join(problems) + "\n")
    for name, (status, out, trap) in results.items():
        with open(os.path.join(d, name + ".out"), "wb") as f:
            f.write(out)
        with open(os.path.join(d, name + ".status"), "w") as f:
            f.write("%s\n%s\n" % (status, trap))
    if reduce:
        subprocess.run([sys.executable, os.path.join(HERE, "reduce.py"), "--spinec", cfgs[0][1][0]] +
                       (["--interp", interp] if interp else []) + [
                        os.path.join(d, "X.spx"), "-o", os.path.join(d, "min.spx")], check=False)
    return d


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--spinec")
    ap.add_argument("--interp", help="spx-interp (default: next to spinec or in its interp/ subdirectory)")
    ap.add_argument("--seeds", default=None, help="A:B, the seeds A..B-1")
    ap.add_argument("--seconds", type=float, default=None, help="run until this many seconds passed")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--keep", default="progfuzz-findings")
    ap.add_argument("--work", default=None, help="scratch directory (default: KEEP/work)")
    ap.add_argument("--no-reduce", action="store_true")
    ap.add_argument("--no-avoid", action="store_true", help="also generate constructs of known bugs")
    a = ap.parse_args()
    spinec = find_spinec(a.spinec)
    interp = find_interp(a.interp, spinec)
    cfgs = configurations(spinec, interp)
    work = a.work or os.path.join(a.keep, "work")
    os.makedirs(work, exist_ok=True)
    gen_args = ["--no-avoid"] if a.no_avoid else []
    if a.seeds:
        lo, hi = (int(x) for x in a.seeds.split(":"))
        seeds = iter(range(lo, hi))
    else:
        start = int(time.time()) % 1000000 * 1000
        seeds = iter(range(start, start + 10 ** 9))
    deadline = time.time() + a.seconds if a.seconds else None
    print("progfuzz: spinec %s; configurations: %s" % (spinec, ", ".join(n for n, _ in cfgs)), flush=True)
    feats = collections.Counter()
    statuses = collections.Counter()
    findings = []
    ran = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as pool:
        pending = set()
        exhausted = False
        while True:
            while not exhausted and len(pending) < a.jobs and (deadline is None or time.time() < deadline):
                s = next(seeds, None)
                if s is None:
                    exhausted = True
                    break
                pending.add(pool.submit(do_seed, s, cfgs, work, gen_args))
            if not pending:
                break
            done, pending = concurrent.futures.wait(pending, return_when=concurrent.futures.FIRST_COMPLETED)
            for fut in done:
                seed, text, results, problems = fut.result()
                ran += 1
                feats.update(features_of(text))
                statuses[str(results["O0"][0])] += 1
                if problems:
                    d = save_finding(a.keep, seed, text, results, problems, cfgs, not a.no_reduce, interp)
                    findings.append((seed, problems, d))
                    print("FINDING seed %d (%s):\n  %s" % (seed, d, "\n  ".join(problems)), flush=True)
            if deadline is not None and time.time() >= deadline:
                exhausted = True
    print("progfuzz: %d programs run (exit status at -O0: %s), %d findings" % (
        ran, ", ".join("%s: %d" % kv for kv in sorted(statuses.items())), len(findings)))
    print("features reached (programs using each):")
    for f, n in sorted(feats.items()):
        print("  %-48s %d" % (f, n))
    for seed, problems, d in findings:
        print("finding: seed %d: %s (%s)" % (seed, "; ".join(problems), d))
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
