#!/usr/bin/env bash
# Makes the bundled real capture (test/Inputs/pcap/veth-mix.pcap): two network namespaces joined by a veth
# pair, a bounded mix of traffic between the two addresses this script assigns (10.200.0.1 and 10.200.0.2),
# captured with tcpdump on the first namespace's end. Nothing is sent to any other address, and the namespaces
# are deleted on exit whatever happens.
#
#   sudo scripts/capture-sample.sh [OUTPUT.pcap]      (needs root, iproute2, tcpdump, python3)
#
# Traffic (about 40 packets, a few seconds): ARP, 3 ICMP echo requests and replies, UDP datagrams of 16, 200,
# 1400 and 3000 bytes to an echo server (the last one fragmented), a UDP datagram to a closed port (ICMP port
# unreachable), and a short TCP exchange (handshake, request, reply, close). Transmit checksum offload is turned
# off on the veth pair so that every checksum in the capture is complete and correct.
set -euo pipefail

out=${1:-"$(cd "$(dirname "$0")/.." && pwd)/test/Inputs/pcap/veth-mix.pcap"}
ns_a=spine-cap-a
ns_b=spine-cap-b
addr_a=10.200.0.1
addr_b=10.200.0.2
python=$(command -v /usr/bin/python3 || command -v python3)

for tool in ip tcpdump "$python"; do
  command -v "$tool" >/dev/null || { echo "capture-sample.sh: $tool is missing (scripts/install-deps.sh)" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "capture-sample.sh: needs root (network namespaces)" >&2; exit 1; }
for ns in $ns_a $ns_b; do
  if ip netns list | grep -qw "$ns"; then echo "capture-sample.sh: namespace $ns already exists" >&2; exit 1; fi
done

work=$(mktemp -d)
tcpdump_pid=
cleanup() {
  [ -n "$tcpdump_pid" ] && kill "$tcpdump_pid" 2>/dev/null || true
  ip netns del $ns_a 2>/dev/null || true
  ip netns del $ns_b 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

cat >"$work/traffic.py" <<'PY'
import ctypes, fcntl, select, socket, struct, sys, time

def tx_checksum_off(ifname):
    # ethtool -K IF tx off, without needing ethtool: the legacy ETHTOOL_STXCSUM ioctl.
    SIOCETHTOOL, ETHTOOL_STXCSUM = 0x8946, 0x17
    cmd = ctypes.create_string_buffer(struct.pack("II", ETHTOOL_STXCSUM, 0))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        fcntl.ioctl(s, SIOCETHTOOL, struct.pack("16sP", ifname.encode(), ctypes.addressof(cmd)))

def serve(addr, deadline):
    # UDP echo on 40000; one TCP connection on 40001, answered and closed.
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); udp.bind((addr, 40000))
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); tcp.bind((addr, 40001)); tcp.listen(1)
    print("ready", flush=True)
    end = time.time() + deadline
    while time.time() < end:
        ready, _, _ = select.select([udp, tcp], [], [], 0.2)
        if udp in ready:
            data, peer = udp.recvfrom(65535); udp.sendto(data, peer)
        if tcp in ready:
            conn, _ = tcp.accept(); conn.settimeout(2)
            request = conn.recv(1024)
            conn.sendall(b"SPINE says: " + request.upper()); conn.close()
            return

def checksum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b)); s = (s >> 16) + (s & 0xffff); s += s >> 16
    return ~s & 0xffff

def client(peer):
    icmp = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP); icmp.settimeout(1)
    for seq in range(1, 4):  # ping -c 3
        payload = b"SPINE ping %d " % seq + bytes(range(40))
        header = struct.pack("!BBHHH", 8, 0, 0, 0x5350, seq)
        icmp.sendto(struct.pack("!BBHHH", 8, 0, checksum(header + payload), 0x5350, seq) + payload, (peer, 0))
        try: icmp.recv(2048)
        except socket.timeout: pass
        time.sleep(0.2)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); udp.settimeout(1)
    for size in (16, 200, 1400, 3000):
        udp.sendto(bytes((i * 7) & 0xff for i in range(size)), (peer, 40000))
        try: udp.recv(65535)
        except socket.timeout: pass
    udp.sendto(b"nobody listens here", (peer, 40009))  # ICMP port unreachable comes back
    time.sleep(0.2)
    tcp = socket.create_connection((peer, 40001), timeout=2)
    tcp.sendall(b"hello from spine-cap-a\n")
    while tcp.recv(1024): pass
    tcp.close()
    time.sleep(0.3)

if __name__ == "__main__":
    {"txoff": lambda: tx_checksum_off(sys.argv[2]), "serve": lambda: serve(sys.argv[2], 10),
     "client": lambda: client(sys.argv[2])}[sys.argv[1]]()
PY

ip netns add $ns_a
ip netns add $ns_b
ip link add veth-a netns $ns_a type veth peer name veth-b netns $ns_b
for ns in $ns_a $ns_b; do
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n "$ns" link set lo up
done
ip -n $ns_a addr add $addr_a/24 dev veth-a
ip -n $ns_b addr add $addr_b/24 dev veth-b
ip netns exec $ns_a "$python" "$work/traffic.py" txoff veth-a
ip netns exec $ns_b "$python" "$work/traffic.py" txoff veth-b
ip -n $ns_a link set veth-a up
ip -n $ns_b link set veth-b up

ip netns exec $ns_a timeout 20 tcpdump -i veth-a -s 0 -U -Z root -w "$work/capture.pcap" 2>"$work/tcpdump.log" &
tcpdump_pid=$!
for _ in $(seq 50); do grep -q "listening on" "$work/tcpdump.log" && break; sleep 0.1; done
grep -q "listening on" "$work/tcpdump.log" || { cat "$work/tcpdump.log" >&2; exit 1; }

ip netns exec $ns_b timeout 15 "$python" "$work/traffic.py" serve $addr_b >"$work/server.log" &
server_pid=$!
for _ in $(seq 50); do grep -q ready "$work/server.log" && break; sleep 0.1; done
ip netns exec $ns_a timeout 15 "$python" "$work/traffic.py" client $addr_b
wait $server_pid || true

sleep 0.5
kill -INT $tcpdump_pid
wait $tcpdump_pid || true
tcpdump_pid=
mkdir -p "$(dirname "$out")"
cp "$work/capture.pcap" "$out"
echo "capture-sample.sh: wrote $out ($(stat -c %s "$out") bytes)"
tcpdump -nr "$out" 2>/dev/null | wc -l | xargs echo "capture-sample.sh: packets:"
