// The NIC's state as text lines: what spine-nic prints at exit and answers on its control socket (counters,
// list, faults), and what an in-process spine::host::Nic reports, in one format (docs/spine-nic.md).
#pragma once

#include <string>
#include <vector>

#include "nic/Nic.h"

namespace spine::nicrt {

// "spine-nic NAME: received ...", then the pool, each port, the host channel and each extension.
std::vector<std::string> counterLines(const std::string &name, Nic &nic);
// One line per extension: "ID MODULE STATE fault-policy=P heap=BYTES packets=N sent=N dropped=N faults=N
// events=N events-refused=N requests=N requests-rejected=N".
std::vector<std::string> extensionLines(Nic &nic);
// One line per recorded fault: "extension ID (MODULE): MESSAGE; ACTION".
std::vector<std::string> faultLines(Nic &nic);

// printf into a string of at most 1023 bytes (a report line).
std::string formatLine(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

}  // namespace spine::nicrt
