"""Starts spine-nic from a child process that then exits at once, leaving the NIC an orphan, and says whether the
NIC stopped within 10 s ("stopped") or still runs ("still running", after which it is killed).

usage: orphan_check.py -- SPINE-NIC-COMMAND...   ({parent} in the command: the pid of the NIC's parent)
"""
import os
import signal
import subprocess
import sys
import time


def running(pid):
    """Whether `pid` runs (a zombie nobody reaps has stopped)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def main():
    command = sys.argv[sys.argv.index("--") + 1:]
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # the NIC's parent: starts it, says its pid, and exits without waiting for it
        os.close(read_end)
        command = [a.replace("{parent}", str(os.getpid())) for a in command]
        nic = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.write(write_end, str(nic.pid).encode())
        os._exit(0)
    os.close(write_end)
    pid = int(os.read(read_end, 32).decode())
    os.waitpid(child, 0)
    deadline = time.monotonic() + 10
    while running(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if running(pid):
        os.kill(pid, signal.SIGKILL)
        print("still running")
    else:
        print("stopped")


main()
