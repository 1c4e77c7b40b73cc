#!/usr/bin/env python3
"""Starts spine-nic (arguments after --) with a control socket, sends each command of --commands (one per line
of that file) and prints each reply, then stops the NIC with SIGTERM and prints its exit status and stderr."""
import argparse, os, shutil, signal, socket, sys

from nic_process import nic_command, start_nic

ap = argparse.ArgumentParser()
ap.add_argument("--commands", required=True)
ap.add_argument("nic", nargs=argparse.REMAINDER)
a = ap.parse_args()
proc, a.socket, sock_dir = start_nic(nic_command(a.nic), "control.py")
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
shutil.rmtree(sock_dir, ignore_errors=True)
sys.stdout.write(err)
