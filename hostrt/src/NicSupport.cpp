#include "NicSupport.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace spine::host::detail {

bool readImageFile(const std::string &path, std::string &bytes, std::string &error) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    error = path + (std::filesystem::exists(path, ec) ? ": not a regular file" : ": cannot open");
    return false;
  }
  if (std::uintmax_t size = std::filesystem::file_size(path, ec); !ec && size > kMaxImageFileBytes) {
    error = path + ": " + std::to_string(size) + " bytes, more than an image may have";
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  if (!in) {
    error = path + ": cannot read";
    return false;
  }
  bytes = ss.str();
  return true;
}

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
