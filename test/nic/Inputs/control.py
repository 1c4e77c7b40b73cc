#!/usr/bin/env python3
"""Starts spine-nic (arguments after --) with a control socket, sends each command of --commands (one per line
of that file) and prints each reply, then stops the NIC with SIGTERM and prints its exit status and stderr.
The socket lives in a fresh directory under /tmp: a Unix socket's path must be short (108 bytes), and a test's
own output directory may be deeper than that."""
import argparse, os, shutil, signal, socket, subprocess, sys, tempfile, time

ap = argparse.ArgumentParser()
ap.add_argument("--commands", required=True)
ap.add_argument("nic", nargs=argparse.REMAINDER)
a = ap.parse_args()
cmd = a.nic[1:] if a.nic and a.nic[0] == "--" else a.nic
sock_dir = tempfile.mkdtemp(prefix="spine-ctl-", dir="/tmp")
a.socket = os.path.join(sock_dir, "nic.sock")
proc = subprocess.Popen(cmd + ["--control", a.socket], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
deadline = time.time() + 20
while not os.path.exists(a.socket):
    if proc.poll() is not None or time.time() > deadline:
        shutil.rmtree(sock_dir, ignore_errors=True)
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
shutil.rmtree(sock_dir, ignore_errors=True)
sys.stdout.write(err)
