// MessageBuffer: the bytes of one message, inline up to kInline bytes and on the heap beyond. A request or reply
// of a few fields -- the common case -- is marshalled and received without allocating (the Writer of a stub, the
// reply buffer of a blocking call). Not copyable or movable: its data may point into itself.
#pragma once

#include "spine/host/Wire.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

namespace spine::host {

class MessageBuffer {
public:
  // Room for a request or reply with a dozen fields and a short TEXT, on the caller's stack.
  static constexpr std::size_t kInline = 256;

  MessageBuffer() = default;
  MessageBuffer(const MessageBuffer &) = delete;
  MessageBuffer &operator=(const MessageBuffer &) = delete;

  const std::uint8_t *data() const { return data_; }
  std::uint8_t *data() { return data_; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  void clear() { size_ = 0; }

  // Appends `n` bytes for the caller to fill and returns where they start.
  std::uint8_t *grow(std::size_t n) {
    if (n > capacity_ - size_) reserve(size_ + n);
    std::uint8_t *at = data_ + size_;
    size_ += n;
    return at;
  }
  void assign(const std::uint8_t *bytes, std::size_t n) {
    size_ = 0;
    if (n != 0) std::memcpy(grow(n), bytes, n);
  }
  Bytes toBytes() const { return Bytes(data_, data_ + size_); }

private:
  void reserve(std::size_t need) {
    std::size_t capacity = capacity_;
    while (capacity < need) capacity = capacity * 2 > capacity ? capacity * 2 : need;
    auto bigger = std::make_unique<std::uint8_t[]>(capacity);
    std::memcpy(bigger.get(), data_, size_);
    heap_ = std::move(bigger);
    data_ = heap_.get();
    capacity_ = capacity;
  }

  std::uint8_t inline_[kInline];
  std::unique_ptr<std::uint8_t[]> heap_;
  std::uint8_t *data_ = inline_;
  std::size_t size_ = 0;
  std::size_t capacity_ = kInline;
};

}  // namespace spine::host
