#include "basic/SourceManager.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace spx {

FileId SourceManager::addBuffer(std::string name, std::string text) {
  File f;
  f.name = std::move(name);
  f.text = std::move(text);
  f.base = nextBase_;
  // One extra position per file so that an end-of-file location still maps into this file.
  nextBase_ += static_cast<uint32_t>(f.text.size()) + 1;
  files_.push_back(std::move(f));
  return FileId{static_cast<uint32_t>(files_.size() - 1)};
}

FileId SourceManager::addFile(const std::string &path, std::string &error) {
  // Only regular files: a directory would read as empty, a device such as /dev/zero would never end.
  std::error_code ec;
  auto status = std::filesystem::status(path, ec);
  if (ec) {
    error = ec.message();
    return {};
  }
  if (status.type() == std::filesystem::file_type::directory) {
    error = "is a directory";
    return {};
  }
  if (status.type() != std::filesystem::file_type::regular) {
    error = "not a regular file";
    return {};
  }
  if (std::filesystem::file_size(path, ec) > kMaxFileSize) {
    error = "file is larger than 256 MiB";
    return {};
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = std::strerror(errno);
    return {};
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) {
    error = "read error";
    return {};
  }
  std::string text = ss.str();
  if (text.size() > kMaxFileSize) {
    error = "file is larger than 256 MiB";
    return {};
  }
  return addBuffer(path, std::move(text));
}

FileId SourceManager::fileOf(SourceLoc loc) const {
  auto it = std::upper_bound(files_.begin(), files_.end(), loc.offset,
                             [](uint32_t off, const File &f) { return off < f.base; });
  if (it == files_.begin()) return {};
  return FileId{static_cast<uint32_t>(it - files_.begin() - 1)};
}

const std::vector<uint32_t> &SourceManager::lineStarts(const File &f) const {
  if (f.lineStarts.empty()) {
    auto &starts = const_cast<File &>(f).lineStarts;
    starts.push_back(0);
    for (uint32_t i = 0; i < f.text.size(); ++i)
      if (f.text[i] == '\n') starts.push_back(i + 1);
  }
  return f.lineStarts;
}

uint32_t SourceManager::fileOffset(SourceLoc loc) const {
  FileId id = fileOf(loc);
  return id.valid() ? loc.offset - files_[id.index].base : 0;
}

PresumedLoc SourceManager::presumed(SourceLoc loc) const {
  FileId id = fileOf(loc);
  if (!id.valid()) return {};
  const File &f = files_[id.index];
  uint32_t off = loc.offset - f.base;
  const auto &starts = lineStarts(f);
  auto it = std::upper_bound(starts.begin(), starts.end(), off);
  unsigned line = static_cast<unsigned>(it - starts.begin());
  return {f.name, line, off - starts[line - 1] + 1};
}

std::string_view SourceManager::lineText(SourceLoc loc) const {
  FileId id = fileOf(loc);
  if (!id.valid()) return {};
  const File &f = files_[id.index];
  uint32_t off = std::min<uint32_t>(loc.offset - f.base, static_cast<uint32_t>(f.text.size()));
  const auto &starts = lineStarts(f);
  auto it = std::upper_bound(starts.begin(), starts.end(), off);
  uint32_t begin = *(it - 1);
  // The next line's start (from the line table) bounds this one: no scan, so a huge line costs nothing.
  uint32_t end = it != starts.end() ? *it - 1 : static_cast<uint32_t>(f.text.size());
  if (end > begin && f.text[end - 1] == '\r') --end;  // the '\r' of a CRLF pair is not shown
  return std::string_view(f.text).substr(begin, end - begin);
}

}  // namespace spx
