// Little-endian encoding for the image format: an appending writer and a bounds-checked reader whose
// errors name the field and the absolute file offset. Internal to spine_image.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace spine::image::detail {

class ByteWriter {
public:
  void u32(uint32_t v) {
    for (int i = 0; i < 4; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  void u64(uint64_t v) {
    for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  void raw(std::string_view bytes) { out_.append(bytes); }
  void str(std::string_view s);  // u32 length, then the bytes
  std::string& bytes() { return out_; }

private:
  std::string out_;
};

// Reads [begin, end) of a buffer; offsets in messages are absolute (from the start of the file). After the
// first failure every read returns zero/empty and error() keeps the first message, so decoding code can read
// a whole record and check once.
class ByteReader {
public:
  // `where` prefixes every message, e.g. "section 'MANI'".
  ByteReader(std::string_view bytes, size_t begin, size_t end, std::string where)
      : bytes_(bytes), pos_(begin), end_(end), where_(std::move(where)) {}

  uint32_t u32(std::string_view field);
  uint64_t u64(std::string_view field);
  std::string_view raw(size_t n, std::string_view field);
  std::string str(std::string_view field);  // u32 length, then the bytes
  // A count of entries each at least minEntrySize bytes long: refused (before anything is allocated) when
  // that many entries cannot fit in what is left.
  uint32_t count(std::string_view field, size_t minEntrySize);

  void fail(std::string message);
  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }
  size_t offset() const { return pos_; }
  size_t remaining() const { return end_ - pos_; }
  // Refuses bytes left over before `end`.
  void expectEnd();

private:
  bool need(size_t n, std::string_view field);

  std::string_view bytes_;
  size_t pos_, end_;
  std::string where_;
  std::string error_;
};

}  // namespace spine::image::detail
