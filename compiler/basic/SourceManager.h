// SourceManager: owns the text of every source file of one compilation and maps locations back to
// file:line:col. A SourceLoc is one 32-bit offset into a single address space that all files share (as in
// clang), so AST nodes carry locations cheaply and ranges never need a file id of their own.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace spx {

struct SourceLoc {
  uint32_t offset = 0;  // 0 means "no location"; file i starts at its base offset, which is never 0
  bool valid() const { return offset != 0; }
  friend bool operator==(SourceLoc, SourceLoc) = default;
};

// A half-open range [begin, end) of characters.
struct SourceRange {
  SourceLoc begin, end;
  SourceRange() = default;
  SourceRange(SourceLoc b, SourceLoc e) : begin(b), end(e) {}
  explicit SourceRange(SourceLoc b) : begin(b), end{b.offset + 1} {}
  bool valid() const { return begin.valid(); }
};

struct FileId {
  uint32_t index = UINT32_MAX;
  bool valid() const { return index != UINT32_MAX; }
  friend bool operator==(FileId, FileId) = default;
};

struct PresumedLoc {
  std::string_view file;
  unsigned line = 0;    // 1-based
  unsigned column = 0;  // 1-based, counting bytes
};

class SourceManager {
public:
  static constexpr uint64_t kMaxFileSize = 256u * 1024 * 1024;
  // Adds a buffer under a display name. The name is what diagnostics print.
  FileId addBuffer(std::string name, std::string text);
  // Reads a file from disk; on failure returns an invalid id and sets `error` to the system's reason.
  FileId addFile(const std::string &path, std::string &error);

  std::string_view text(FileId f) const { return files_[f.index].text; }
  const std::string &name(FileId f) const { return files_[f.index].name; }
  SourceLoc locAt(FileId f, uint32_t byteOffset) const { return {files_[f.index].base + byteOffset}; }

  unsigned fileCount() const { return static_cast<unsigned>(files_.size()); }
  FileId fileOf(SourceLoc loc) const;
  PresumedLoc presumed(SourceLoc loc) const;
  // The whole line containing loc, without its newline.
  std::string_view lineText(SourceLoc loc) const;
  // Byte offset of loc inside its file.
  uint32_t fileOffset(SourceLoc loc) const;

private:
  struct File {
    std::string name;
    std::string text;
    uint32_t base = 0;
    std::vector<uint32_t> lineStarts;  // computed on first use
  };
  const std::vector<uint32_t> &lineStarts(const File &f) const;
  std::vector<File> files_;
  uint32_t nextBase_ = 1;
};

}  // namespace spx
