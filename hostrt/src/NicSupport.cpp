#include "NicSupport.h"

#include <sstream>

namespace spine::host::detail {

std::vector<std::string> splitLines(const std::string &text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::vector<ExtensionStatus> parseExtensionLines(const std::vector<std::string> &lines) {
  std::vector<ExtensionStatus> out;
  for (const std::string &line : lines) {
    std::istringstream in(line);
    ExtensionStatus s;
    if (!(in >> s.id >> s.module >> s.state)) throw NicError("cannot read the NIC's extension line '" + line + "'");
    for (std::string field; in >> field;) {
      size_t eq = field.find('=');
      if (eq == std::string::npos) continue;
      std::string key = field.substr(0, eq), value = field.substr(eq + 1);
      if (key == "fault-policy") {
        s.faultPolicy = value;
        continue;
      }
      std::uint64_t n = 0;
      try {
        n = std::stoull(value);
      } catch (...) {
        throw NicError("cannot read field " + key + " of the NIC's extension line '" + line + "'");
      }
      if (key == "heap") s.heapBytes = n;
      else if (key == "packets") s.packets = n;
      else if (key == "sent") s.sent = n;
      else if (key == "dropped") s.dropped = n;
      else if (key == "faults") s.faults = n;
      else if (key == "events") s.events = n;
      else if (key == "events-refused") s.eventsRefused = n;
      else if (key == "requests") s.requests = n;
      else if (key == "requests-rejected") s.requestsRejected = n;
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<FaultReport> parseFaultLines(const std::vector<std::string> &lines) {
  std::vector<FaultReport> out;
  for (const std::string &line : lines) {
    FaultReport f;
    size_t open = line.find(" ("), close = line.find("): "), semi = line.rfind("; ");
    if (line.rfind("extension ", 0) != 0 || open == std::string::npos || close == std::string::npos ||
        semi == std::string::npos || semi < close)
      throw NicError("cannot read the NIC's fault line '" + line + "'");
    try {
      f.extension = static_cast<std::uint32_t>(std::stoul(line.substr(10, open - 10)));
    } catch (...) {
      throw NicError("cannot read the NIC's fault line '" + line + "'");
    }
    f.module = line.substr(open + 2, close - open - 2);
    f.message = line.substr(close + 3, semi - close - 3);
    f.action = line.substr(semi + 2);
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace spine::host::detail
