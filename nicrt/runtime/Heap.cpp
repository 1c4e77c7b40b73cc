#include <cstdlib>
#include <cstring>

#include "detail/Heap.h"

namespace spine::nicrt::detail {
namespace {
constexpr size_t kChunkBytes = 64 * 1024;
constexpr size_t kAlign = 16;
}  // namespace

Arena::~Arena() {
  for (void *c : chunks_) std::free(c);
}

void *Arena::allocate(uint64_t size, uint64_t quota) {
  if (size > quota) return nullptr;  // also keeps the rounding below from overflowing
  size_t bytes = size == 0 ? kAlign : (static_cast<size_t>(size) + kAlign - 1) & ~(kAlign - 1);
  if (bytes > quota - used_ || used_ > quota) return nullptr;
  if (static_cast<size_t>(end_ - next_) < bytes) {
    // A big block gets a chunk of its own, so the rest of the current chunk stays usable.
    size_t chunk = bytes > kChunkBytes / 4 ? bytes : kChunkBytes;
    void *mem = std::aligned_alloc(kAlign, chunk);  // chunk is a multiple of kAlign
    if (!mem) return nullptr;
    std::memset(mem, 0, chunk);
    chunks_.push_back(mem);
    used_ += bytes;
    if (chunk == bytes) {
      if (tracking_) blocks_.emplace(reinterpret_cast<uintptr_t>(mem), size);
      return mem;
    }
    next_ = static_cast<char *>(mem);
    end_ = next_ + chunk;
  } else {
    used_ += bytes;
  }
  void *p = next_;
  next_ += bytes;
  if (tracking_) blocks_.emplace(reinterpret_cast<uintptr_t>(p), size);
  return p;
}

bool Arena::inBlock(uintptr_t begin, uintptr_t end) const {
  auto it = blocks_.upper_bound(begin);
  if (it == blocks_.begin()) return false;
  --it;
  return end <= it->first + it->second;
}

}  // namespace spine::nicrt::detail
