// A Runtime's own state: its options and output sink, and how many extensions it has loaded. Images are linked
// by the runtime's own linker (elf/ElfLinker.h) against the export table (detail/Exports.h) and nothing else.
#pragma once

#include <atomic>

#include "detail/ExtensionImpl.h"
#include "spine/nicrt/Runtime.h"

namespace spine::nicrt {

struct Runtime::Impl {
  RuntimeOptions options;
  OutputSink sink;  // options.output, or standard output
  std::atomic<int64_t> liveExtensions{0};
};

}  // namespace spine::nicrt
