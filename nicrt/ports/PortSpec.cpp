// openPort (PortSpec.h): KIND:ARGUMENTS to a Port.
#include "ports/PortSpec.h"

#include "ports/PcapPort.h"

namespace spine::nicrt {

std::unique_ptr<Port> openPort(std::string_view spec, std::string& error) {
  const std::string quoted = "port '" + std::string(spec) + "'";
  const size_t colon = spec.find(':');
  if (colon == std::string_view::npos) {
    error = quoted + ": expected KIND:ARGUMENTS, as pcap:IN[,OUT]";
    return nullptr;
  }
  const std::string_view kind = spec.substr(0, colon), rest = spec.substr(colon + 1);
  if (kind == "pcap") {
    const size_t comma = rest.find(',');
    PcapPortConfig config;
    config.input = std::string(rest.substr(0, comma));
    if (comma != std::string_view::npos) config.output = std::string(rest.substr(comma + 1));
    if (config.output.find(',') != std::string::npos) {
      error = quoted + ": more than two files (pcap:IN[,OUT]; file names cannot contain a comma)";
      return nullptr;
    }
    if (config.input.empty() && config.output.empty()) {
      error = quoted + ": no file given (pcap:IN[,OUT], or pcap:,OUT for output only)";
      return nullptr;
    }
    if (comma != std::string_view::npos && config.output.empty()) {
      error = quoted + ": the output file after ',' is empty";
      return nullptr;
    }
    std::string why;
    auto port = PcapPort::open(config, why);
    if (!port) error = quoted + ": " + why;
    return port;
  }
  if (kind == "if" || kind == "wire") {
    error = quoted + ": " + std::string(kind) + " ports (live interfaces and the wire between NICs) are not " +
            "supported yet; use pcap:IN[,OUT]";
    return nullptr;
  }
  error = quoted + ": unknown kind '" + std::string(kind) + "'; expected pcap:IN[,OUT]";
  return nullptr;
}

}  // namespace spine::nicrt
