#include "image/detail/Bytes.h"

namespace spine::image::detail {

void ByteWriter::str(std::string_view s) {
  u32(static_cast<uint32_t>(s.size()));
  raw(s);
}

void ByteReader::fail(std::string message) {
  if (error_.empty()) error_ = where_ + ": " + message;
  pos_ = end_;
}

bool ByteReader::need(size_t n, std::string_view field) {
  if (failed()) return false;
  if (n <= remaining()) return true;
  fail(std::string(field) + " at offset " + std::to_string(pos_) + " needs " + std::to_string(n) +
       " bytes but only " + std::to_string(remaining()) + " remain (truncated or corrupt)");
  return false;
}

uint32_t ByteReader::u32(std::string_view field) {
  if (!need(4, field)) return 0;
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= uint32_t(static_cast<unsigned char>(bytes_[pos_ + i])) << (8 * i);
  pos_ += 4;
  return v;
}

uint64_t ByteReader::u64(std::string_view field) {
  if (!need(8, field)) return 0;
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= uint64_t(static_cast<unsigned char>(bytes_[pos_ + i])) << (8 * i);
  pos_ += 8;
  return v;
}

std::string_view ByteReader::raw(size_t n, std::string_view field) {
  if (!need(n, field)) return {};
  std::string_view v = bytes_.substr(pos_, n);
  pos_ += n;
  return v;
}

std::string ByteReader::str(std::string_view field) {
  size_t at = pos_;
  uint32_t n = u32(std::string(field) + " length");
  if (failed()) return {};
  if (n > remaining()) {
    fail(std::string(field) + " at offset " + std::to_string(at) + " has length " + std::to_string(n) +
         " but only " + std::to_string(remaining()) + " bytes remain");
    return {};
  }
  return std::string(raw(n, field));
}

uint32_t ByteReader::count(std::string_view field, size_t minEntrySize) {
  size_t at = pos_;
  uint32_t n = u32(field);
  if (failed()) return 0;
  if (uint64_t(n) * minEntrySize > remaining()) {
    fail(std::string(field) + " " + std::to_string(n) + " at offset " + std::to_string(at) +
         " cannot fit in the " + std::to_string(remaining()) + " bytes left (each entry takes at least " +
         std::to_string(minEntrySize) + ")");
    return 0;
  }
  return n;
}

void ByteReader::expectEnd() {
  if (failed() || pos_ == end_) return;
  fail(std::to_string(remaining()) + " unexpected bytes at offset " + std::to_string(pos_) +
       " after the last field");
}

}  // namespace spine::image::detail
