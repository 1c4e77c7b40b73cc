// An extension's heap: a bump arena of zeroed, 16-aligned blocks under a quota. Nothing is freed before the
// extension is unloaded (the language has no DISPOSE), then everything is.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

namespace spine::nicrt::detail {

class Arena {
 public:
  Arena() = default;
  ~Arena();
  Arena(const Arena &) = delete;
  Arena &operator=(const Arena &) = delete;

  // `size` zeroed bytes aligned to 16, or nullptr if that would take the total past `quota` (or the
  // system is out of memory). Every block counts at least 16 bytes, so each NEW has its own address.
  void *allocate(uint64_t size, uint64_t quota);
  size_t used() const { return used_; }
  // The memory-safety oracle needs each block's bounds: from now on allocate() records them.
  void trackBlocks() { tracking_ = true; }
  // Whether [begin, end) lies inside one block allocated while tracking (end > begin).
  bool inBlock(uintptr_t begin, uintptr_t end) const;

 private:
  std::vector<void *> chunks_;
  bool tracking_ = false;
  std::map<uintptr_t, uint64_t> blocks_;  // start -> size asked for, when tracking_
  char *next_ = nullptr;
  char *end_ = nullptr;
  size_t used_ = 0;
};

}  // namespace spine::nicrt::detail
