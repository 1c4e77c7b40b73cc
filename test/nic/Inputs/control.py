#!/usr/bin/env python3
"""Starts spine-nic (arguments after --) with a control socket, sends each command of --commands (one per line
of that file) and prints each reply, then stops the NIC with SIGTERM and prints its exit status and stderr."""
import argparse, os, signal, socket, subprocess, sys, time

ap = argparse.ArgumentParser()
ap.add_argument("--socket", required=True)
ap.add_argument("--commands", required=True)
ap.add_argument("nic", nargs=argparse.REMAINDER)
a = ap.parse_args()
cmd = a.nic[1:] if a.nic and a.nic[0] == "--" else a.nic
if os.path.exists(a.socket):
    os.remove(a.socket)
proc = subprocess.Popen(cmd + ["--control", a.socket], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
deadline = time.time() + 20
while not os.path.exists(a.socket):
    if proc.poll() is not None or time.time() > deadline:
        sys.exit("control.py: spine-nic did not open its control socket:\n" + proc.stderr.read())
    time.sleep(0.02)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(a.socket)
s.settimeout(20)
f = s.makefile("r")
for line in open(a.commands):
    line = line.rstrip("\n")
    if not line:
        continue
    print("> " + line)
    s.sendall((line + "\n").encode())
    while True:
        reply = f.readline()
        if reply in (".\n", ""):
            break
        print(reply, end="")
s.close()
proc.send_signal(signal.SIGTERM)
out, err = proc.communicate(timeout=20)
print("exit status %d" % proc.returncode)
print("socket removed: %s" % (not os.path.exists(a.socket)))
sys.stdout.write(err)
