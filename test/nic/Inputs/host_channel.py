#!/usr/bin/env python3
"""A host program in another process, speaking the host channel of include/spine/channel.h and the rings of
include/spine/ring.h directly (no SPINE code): starts spine-nic (arguments after --) with the firewall deployed,
asks the control socket for the channel, receives the region's memfd (SCM_RIGHTS), maps it, and sends Firewall
requests (docs/messages.md) to extension 1, printing each reply; then garbage. Finally stops the NIC and prints
its stderr. Every wait is bounded. Memory ordering: x86-64 keeps stores in order, and the tag that publishes a
record comes after its bytes, as the ring's release/acquire protocol requires."""
import argparse, mmap, os, shutil, signal, socket, struct, sys, time

from nic_process import nic_command, start_nic

ap = argparse.ArgumentParser()
ap.add_argument("--fingerprint", required=True, help="Firewall's fingerprint, hex")
ap.add_argument("nic", nargs=argparse.REMAINDER)
a = ap.parse_args()
FP = int(a.fingerprint, 16)
proc, path, sock_dir = start_nic(nic_command(a.nic), "host_channel.py")


def fail(why):
    proc.kill()
    shutil.rmtree(sock_dir, ignore_errors=True)
    sys.exit("host_channel.py: " + why + "\n" + proc.stderr.read())



def connect():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.settimeout(20)
    return s


def command(s, line):
    """Sends one command; returns (reply lines, fds received with them)."""
    s.sendall((line + "\n").encode())
    data, fds = b"", []
    while not data.endswith(b"\n.\n") and data != b".\n":
        msg, got, _flags, _addr = socket.recv_fds(s, 4096, 4)
        if not msg:
            fail("control socket closed")
        data += msg
        fds += got
    return data.decode().splitlines()[:-1], fds


ctl = connect()
# The capture is read at start: wait until the NIC has seen all of it, so Stats below is deterministic.
for _ in range(1000):
    lines, _ = command(ctl, "counters")
    if "received 32," in lines[0]:
        break
    time.sleep(0.01)
else:
    fail("the NIC did not receive the capture")

lines, fds = command(ctl, "channel")
print(lines[0])
if len(fds) != 1:
    fail("no file descriptor came with the channel")
other = connect()
print(command(other, "channel")[0][0])  # one host at a time

region = mmap.mmap(fds[0], 0)
magic, version, region_bytes, to_nic, nic_slots, host_slots, to_host = struct.unpack_from("<IIQQIIQ", region, 0)
print("region: magic %08x version %d, %d bytes, rings at %d and %d" % (magic, version, region_bytes, to_nic, to_host))


class Ring:
    def __init__(self, base, slots):
        self.base, self.slots, self.mask = base, slots, slots - 1
        assert struct.unpack_from("<III", region, base)[2] == slots

    def index(self, which):  # 0: prod, 1: cons
        return struct.unpack_from("<Q", region, self.base + 64 * (which + 1))[0]

    def set_index(self, which, value):
        struct.pack_into("<Q", region, self.base + 64 * (which + 1), value)

    def slot(self, i):
        return self.base + 192 + 64 * (i & self.mask)

    def tag(self, index, kind):  # ring.h, "The tag publishes the record"
        return ((index << 2) | kind) & 0xFFFFFFFF

    def enqueue(self, payload):
        need = (len(payload) + 8 + 63) // 64
        deadline = time.time() + 10
        while True:
            prod, cons = self.index(0), self.index(1)
            off = prod & self.mask
            to_end = self.slots - off
            total = need if need <= to_end else to_end + need
            if prod + total + 1 - cons <= self.slots:  # the slot after the record stays free
                break
            if time.time() > deadline:
                fail("the NIC's ring stayed full")
            time.sleep(0.001)
        start, at = prod, prod
        if total != need:  # a PAD to the end, the record at slot 0
            struct.pack_into("<I", region, self.slot(prod), to_end * 64 - 8)
            at = prod + to_end
        # x86-64 keeps stores in order: the slot after the record is cleared and the record written before the
        # tag that publishes it (the PAD's, when there is one, goes last).
        struct.pack_into("<I", region, self.slot(at + need) + 4, 0)
        struct.pack_into("<I", region, self.slot(at), len(payload))
        region[self.slot(at) + 8:self.slot(at) + 8 + len(payload)] = payload
        struct.pack_into("<I", region, self.slot(at) + 4, self.tag(at, 1))
        if at != start:
            struct.pack_into("<I", region, self.slot(start) + 4, self.tag(start, 2))
        self.set_index(0, at + need)

    def dequeue(self, timeout=10):
        deadline = time.time() + timeout
        while True:
            cons = self.index(1)
            length, tag = struct.unpack_from("<II", region, self.slot(cons))
            if tag == 0:
                if time.time() > deadline:
                    return None
                time.sleep(0.001)
                continue
            if tag != self.tag(cons, tag & 3):
                fail("a record with the tag %08x at slot index %d" % (tag, cons))
            if tag & 3 == 2:
                self.set_index(1, cons + self.slots - (cons & self.mask))
                continue
            start = self.slot(cons) + 8
            data = bytes(region[start:start + length])
            self.set_index(1, cons + (length + 8 + 63) // 64)
            return data


requests, replies = Ring(to_nic, nic_slots), Ring(to_host, host_slots)
KINDS = {2: "Result", 3: "Exception", 4: "Trapped", 5: "Rejected", 6: "Event"}


def call(extension, index, payload, call_id):
    header = struct.pack("<BBHIQQ", 1, 1, index, len(payload), FP, call_id)
    requests.enqueue(struct.pack("<II", extension, 0) + header + payload)
    rec = replies.dequeue()
    if rec is None:
        return "no reply"
    ext, _ = struct.unpack_from("<II", rec, 0)
    kind, _v, idx, length, fp, cid = struct.unpack_from("<BBHIQQ", rec, 8)
    body = rec[32:]
    text = "extension %d: %s index %d call %d, %d bytes: %s" % (ext, KINDS.get(kind, kind), idx, cid, length,
                                                               body.hex(" "))
    if kind == 5:
        text += " (" + body[4:].decode() + ")"
    return text


rule = lambda src, mask, proto, port, action: struct.pack("<IIBHB", src, mask, proto, port, action)
print("AddRule:", call(1, 0, rule(0x0A000001, 0xFFFFFFFF, 6, 22, 1), 7))
print("AddRule:", call(1, 0, rule(0, 0, 17, 53, 0), 8))
print("RemoveRule(9):", call(1, 1, bytes([9]), 9))
print("RemoveRule(0):", call(1, 1, bytes([0]), 10))
print("Stats:", call(1, 2, b"", 11))
print("RemoveRule(70):", call(1, 1, bytes([70]), 12))
print("to extension 5:", call(5, 2, b"", 13))
requests.enqueue(b"\x01\x02\x03")  # garbage: no envelope, no header
print("after garbage, Stats:", call(1, 2, b"", 14))

ctl.close()  # the holder goes: the channel is free for the next host once the NIC has seen the disconnect
for _ in range(500):  # bounded: 5 s
    lines, fds = command(other, "channel")
    if lines and lines[0].startswith("ok:"):
        break
    for fd in fds:
        os.close(fd)
    time.sleep(0.01)
print("next host:", lines[0], "with %d fd" % len(fds))
other.close()
proc.send_signal(signal.SIGTERM)
out, err = proc.communicate(timeout=20)
print("exit status %d" % proc.returncode)
shutil.rmtree(sock_dir, ignore_errors=True)
sys.stdout.write(err)
