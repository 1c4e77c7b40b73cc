#!/usr/bin/env python3
"""Starts spine-nic (arguments after --) with a control socket in a fresh short directory, runs each line of
--script as a shell command with {nic} replaced by that socket's path (so `spinectl --nic {nic} list`), printing
"$ COMMAND", its stdout, its stderr and "exit N"; lines starting with "json: " run the rest and parse its stdout
with Python's json module, printing the parsed value. Then stops the NIC with SIGTERM and prints its stderr.
Every wait is bounded."""
import argparse, json, shutil, signal, subprocess, sys

from nic_process import nic_command, start_nic

ap = argparse.ArgumentParser()
ap.add_argument("--script", required=True)
ap.add_argument("nic", nargs=argparse.REMAINDER)
a = ap.parse_args()
proc, sock, sock_dir = start_nic(nic_command(a.nic), "with_nic.py")
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
