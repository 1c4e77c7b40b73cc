// What both kinds of spine::host::Nic share: reading the NIC's report lines
// (nicrt/nic/NicReport.h, the format spine-nic answers its control commands in) back into structures.
#pragma once

#include <string>
#include <vector>

#include "spine/host/Nic.h"

namespace spine::host::detail {

std::vector<std::string> splitLines(const std::string &text);
// "ID MODULE STATE fault-policy=P heap=N packets=N ..." per extension. Throws NicError on a line it cannot read.
std::vector<ExtensionStatus> parseExtensionLines(const std::vector<std::string> &lines);
// "extension ID (MODULE): MESSAGE; ACTION" per fault.
std::vector<FaultReport> parseFaultLines(const std::vector<std::string> &lines);

}  // namespace spine::host::detail
