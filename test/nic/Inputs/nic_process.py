"""What the tests' Python hosts share: spine-nic started with its control socket in a fresh directory under
/tmp (a Unix socket's path must be short, 108 bytes, and a test's own output directory may be deeper), waited
for up to 20 s."""
import os, shutil, subprocess, sys, tempfile, time


def nic_command(argv):
    """The spine-nic command line after a leading '--' of argparse.REMAINDER."""
    return argv[1:] if argv and argv[0] == "--" else argv


def start_nic(cmd, who):
    """Starts `cmd` (a spine-nic command line) with --control in a fresh directory; returns (process, socket
    path, directory) once the socket exists. Exits naming `who` if spine-nic ends or does not open it in time."""
    sock_dir = tempfile.mkdtemp(prefix="spine-nic-", dir="/tmp")
    sock = os.path.join(sock_dir, "nic.sock")
    proc = subprocess.Popen(cmd + ["--control", sock], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 20
    while not os.path.exists(sock):
        if proc.poll() is not None or time.time() > deadline:
            proc.kill()
            shutil.rmtree(sock_dir, ignore_errors=True)
            sys.exit(who + ": spine-nic did not open its control socket:\n" + proc.stderr.read())
        time.sleep(0.02)
    return proc, sock, sock_dir
