#!/usr/bin/env bash
# The main job on its embedded default: compile the bundled samples to signed images, run one on an
# in-process NIC, show a buggy extension stopped by a checked runtime error and a hostile one refused at
# compile time, generate the firewall's host stubs, deploy the firewall on the emulated SmartNIC (spine-nic) fed
# by the bundled real capture, beside an extension that keeps a stale packet handle, run the firewall's host
# program (its rules through the generated stubs, its Blocked events back), and run the packet benchmark briefly.
set -uo pipefail
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SPINEC="$ROOT/$BUILD/compiler/spinec"
IMAGE="$ROOT/$BUILD/nicrt/spine-image"
OUT="$ROOT/$BUILD/demo"
mkdir -p "$OUT"
cd "$ROOT"

step() { printf '\n== %s\n' "$*"; }
status=0

step "$("$SPINEC" --version)"

step "compile samples/hello to a signed image (the development key is made on first use)"
"$SPINEC" -o "$OUT/hello.spxo" samples/hello/hello.spx || status=1
"$IMAGE" show "$OUT/hello.spxo" || status=1
KEY=${SPINE_DEV_KEY:-$HOME/.spine/dev.key}
"$IMAGE" verify --trust "${KEY%.key}.pub" "$OUT/hello.spxo" || status=1

step "run it on an in-process NIC: spinec --run samples/hello/hello.spx"
"$SPINEC" --run samples/hello/hello.spx || status=1

step "a buggy extension is stopped at its faulting line (samples/hostile/overrun.spx)"
"$SPINEC" --run samples/hostile/overrun.spx
rc=$?
echo "(exit status $rc: 3 means a checked runtime error was reported)"
[ $rc -eq 3 ] || status=1

step "a hostile extension is refused at compile time (samples/hostile/forge.spx)"
if "$SPINEC" -fsyntax-only samples/hostile/forge.spx; then
  echo "UNEXPECTED: the hostile extension was accepted"; status=1
else
  echo "(refused, as it must be)"
fi

step "the firewall: a signed image with its handlers and message interface, and C++ host stubs"
"$SPINEC" -o "$OUT/firewall.spxo" --stubs "$OUT/gen" -I samples/firewall samples/firewall/firewall.spx || status=1
"$IMAGE" show "$OUT/firewall.spxo" | sed -n '/^handlers/,/^code/p'
echo "host stubs:"; ls "$OUT/gen"
grep -E "^class FirewallClient|^  [A-Za-z].*\(.*timeout" "$OUT/gen/Firewall.h" | head -5

step "deploy the firewall on spine-nic, fed the bundled capture (test/Inputs/pcap/veth-mix.pcap), beside a hostile extension"
NIC="$ROOT/$BUILD/nicrt/nic/spine-nic"
"$SPINEC" -o "$OUT/stale.spxo" test/hostile/packets/handle_kept_after_send_traps_on_next_packet.spx || status=1
"$NIC" --name demo --no-control --trust "${KEY%.key}.pub" \
  --port "pcap:test/Inputs/pcap/veth-mix.pcap,$OUT/wire0.pcap" --port "pcap:,$OUT/wire1.pcap" \
  --deploy "$OUT/stale.spxo" --deploy "$OUT/firewall.spxo" --exit-on-eof || status=1
echo "what the firewall sent on from port 0 to port 1 ($OUT/wire1.pcap, first 5 packets):"
if command -v tcpdump >/dev/null; then tcpdump -n -r "$OUT/wire1.pcap" 2>/dev/null | head -5; fi

step "the firewall's host program: an in-process NIC, rules through the generated stubs, events back, the capture"
HOSTPROG="$ROOT/$BUILD/samples/firewall-host"
if [ -x "$HOSTPROG" ]; then
  "$HOSTPROG" "$OUT/firewall.spxo" "${KEY%.key}.pub" test/Inputs/pcap/veth-mix.pcap "$OUT/host-wire1.pcap" || status=1
else
  echo "UNEXPECTED: $HOSTPROG was not built"; status=1
fi

step "per-packet kernels: .spx with every check on against the same logic in C++ (bench/packet)"
if [ -x "$ROOT/$BUILD/bench/packet/packet-bench" ]; then
  "$ROOT/$BUILD/bench/packet/packet-bench" --packets 2048 --passes 50 || status=1
fi
exit $status
