// Opening a port from its command-line spelling, what `spine-nic --port SPEC` takes:
//
//   pcap:IN          packets read from the capture IN; nothing sent on this port is written (drops: no output)
//   pcap:IN,OUT      read from IN, packets sent on the port written to OUT
//   pcap:,OUT        an output-only port (at its end at once), for a NIC that forwards from another port
//
// File names cannot contain a comma. `if:IFNAME` (a live interface) and `wire:NAME` (the in-memory wire between
// NICs) belong to a later issue and are refused by name until then.
#pragma once

#include "ports/Port.h"

#include <memory>
#include <string>
#include <string_view>

namespace spine::nicrt {

// The port SPEC names, or null with `error` set to one sentence that quotes SPEC.
std::unique_ptr<Port> openPort(std::string_view spec, std::string& error);

}  // namespace spine::nicrt
