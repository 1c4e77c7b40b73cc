#!/usr/bin/env python3
"""Starts spine-nic (arguments after --) with a control socket in a fresh short directory, runs each line of
--script as a shell command with {nic} replaced by that socket's path (so `spinectl --nic {nic} list`), printing
"$ COMMAND", its stdout, its stderr and "exit N"; lines starting with "json: " run the rest and parse its stdout
with Python's json module, printing the parsed value. Then stops the NIC with SIGTERM and prints its stderr.
Every wait is bounded."""
import argparse, json, os, shutil, signal, subprocess, sys, tempfile, time

ap = argparse.ArgumentParser()
ap.add_argument("--script", required=True)
ap.add_argument("nic", nargs=argparse.REMAINDER)
a = ap.parse_args()
cmd = a.nic[1:] if a.nic and a.nic[0] == "--" else a.nic
sock_dir = tempfile.mkdtemp(prefix="spine-nic-", dir="/tmp")
sock = os.path.join(sock_dir, "nic.sock")
proc = subprocess.Popen(cmd + ["--control", sock], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
deadline = time.time() + 20
while not os.path.exists(sock):
    if proc.poll() is not None or time.time() > deadline:
        shutil.rmtree(sock_dir, ignore_errors=True)
        sys.exit("with_nic.py: spine-nic did not open its control socket:\n" + proc.stderr.read())
    time.sleep(0.02)
try:
    for line in open(a.script):
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        parse = line.startswith("json: ")
        if parse:
            line = line[len("json: "):]
        shell = line.replace("{nic}", sock)
        print("$ " + line)
        r = subprocess.run(shell, shell=True, capture_output=True, text=True, timeout=30)
        if parse:
            try:
                print("parsed: " + json.dumps(json.loads(r.stdout), sort_keys=True))
            except ValueError as e:
                print("not JSON (%s): %r" % (e, r.stdout))
        else:
            sys.stdout.write(r.stdout)
        sys.stdout.write(r.stderr.replace(sock, "<socket>"))
        print("exit %d" % r.returncode)
finally:
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=20)
    shutil.rmtree(sock_dir, ignore_errors=True)
print("nic exit status %d" % proc.returncode)
sys.stdout.write(err)
