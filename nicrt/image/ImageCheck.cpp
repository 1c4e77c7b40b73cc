#include "image/ImageCheck.h"

#include "image/Format.h"

#include <set>

namespace spine::image {
namespace {

std::string quoted(const std::string& s) {
  std::string out = "'";
  for (unsigned char c : s.substr(0, 64)) {
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      static const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out + (s.size() > 64 ? "'..." : "'");
}

// Identifiers, symbols ("M.P"), event names and target triples: printable ASCII without spaces.
std::string checkName(const std::string& s, const std::string& field, bool mayBeEmpty = false) {
  if (s.empty()) return mayBeEmpty ? "" : field + " is empty";
  if (s.size() > format::kMaxNameLength)
    return field + " is " + std::to_string(s.size()) + " bytes long (at most " +
           std::to_string(format::kMaxNameLength) + ")";
  for (unsigned char c : s)
    if (c <= 0x20 || c >= 0x7f) return field + " " + quoted(s) + " contains a space or non-printable byte";
  return "";
}

// Source file names may hold spaces and UTF-8, but no control characters.
std::string checkFileName(const std::string& s, const std::string& field) {
  if (s.empty()) return field + " is empty";
  if (s.size() > format::kMaxNameLength)
    return field + " is " + std::to_string(s.size()) + " bytes long (at most " +
           std::to_string(format::kMaxNameLength) + ")";
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return field + " " + quoted(s) + " contains a control character";
  return "";
}

std::string checkRefs(const std::vector<InterfaceRef>& refs, const std::string& list) {
  std::set<std::string> seen;
  for (size_t i = 0; i < refs.size(); ++i) {
    std::string field = "manifest " + list + "[" + std::to_string(i) + "].name";
    if (std::string e = checkName(refs[i].name, field); !e.empty()) return e;
    if (!seen.insert(refs[i].name).second) return field + " '" + refs[i].name + "' is listed twice";
  }
  return "";
}

}  // namespace

std::string checkImage(const Image& image) {
  const Manifest& m = image.manifest;
  if (std::string e = checkName(m.module, "manifest module"); !e.empty()) return e;
  if (std::string e = checkName(m.target, "manifest target"); !e.empty()) return e;
  if (std::string e = checkRefs(m.imports, "imports"); !e.empty()) return e;
  if (std::string e = checkRefs(m.exports, "exports"); !e.empty()) return e;
  for (size_t i = 0; i < m.handlers.size(); ++i) {
    std::string field = "manifest handlers[" + std::to_string(i) + "]";
    const Handler& h = m.handlers[i];
    if (std::string e = checkName(h.event, field + ".event"); !e.empty()) return e;
    if (std::string e = checkName(h.procedure, field + ".procedure"); !e.empty()) return e;
    if (std::string e = checkName(h.guard, field + ".guard", /*mayBeEmpty=*/true); !e.empty()) return e;
  }
  std::set<std::string> messageNames;
  for (size_t i = 0; i < m.messages.size(); ++i) {
    std::string field = "manifest messages[" + std::to_string(i) + "]";
    const MessageInterface& mi = m.messages[i];
    if (std::string e = checkName(mi.name, field + ".name"); !e.empty()) return e;
    if (!messageNames.insert(mi.name).second) return field + ".name '" + mi.name + "' is listed twice";
    for (size_t j = 0; j < mi.requests.size(); ++j)
      if (std::string e = checkName(mi.requests[j], field + ".requests[" + std::to_string(j) + "]"); !e.empty())
        return e;
    for (size_t j = 0; j < mi.events.size(); ++j)
      if (std::string e = checkName(mi.events[j], field + ".events[" + std::to_string(j) + "]"); !e.empty())
        return e;
  }
  for (size_t i = 0; i < image.files.size(); ++i)
    if (std::string e = checkFileName(image.files[i], "files[" + std::to_string(i) + "]"); !e.empty()) return e;
  for (size_t i = 0; i < image.sites.size(); ++i)
    if (image.sites[i].file >= image.files.size())
      return "trap site " + std::to_string(i) + ": file index " + std::to_string(image.sites[i].file) +
             " out of range (the image has " + std::to_string(image.files.size()) + " files)";
  return "";
}

}  // namespace spine::image
