// What both kinds of spine::host::Nic share: reading an image file, and reading the NIC's report lines
// (nicrt/nic/NicReport.h, the format spine-nic answers its control commands in) back into structures.
#pragma once

#include <string>
#include <vector>

#include "spine/host/Nic.h"

namespace spine::host::detail {

// The largest image file a NIC reads (as spine-nic: far above what the quotas let run).
constexpr std::uint64_t kMaxImageFileBytes = std::uint64_t{256} << 20;

// Reads a regular file of at most kMaxImageFileBytes; false with `error` naming the path otherwise.
bool readImageFile(const std::string &path, std::string &bytes, std::string &error);
std::vector<std::string> splitLines(const std::string &text);
// "ID MODULE STATE fault-policy=P heap=N packets=N ..." per extension. Throws NicError on a line it cannot read.
std::vector<ExtensionStatus> parseExtensionLines(const std::vector<std::string> &lines);
// "extension ID (MODULE): MESSAGE; ACTION" per fault.
std::vector<FaultReport> parseFaultLines(const std::vector<std::string> &lines);

}  // namespace spine::host::detail
