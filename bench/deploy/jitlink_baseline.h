// The deploy benchmark's baseline: the way nicrt linked images before its LLVM-free loader, kept here (and only
// here) so the two can be timed in one run. One ORC ExecutionSession and ObjectLinkingLayer per baseline
// (per NIC); each load links the image's object into a bare JITDylib whose only link partner is an
// absolute-symbol table of the runtime's exports, as nicrt/runtime/Loader.cpp did. No debugger plugin, and
// none of the old loader's pre-link checks (imports, relocation kinds, symbol scan): a lower bound on its cost.
#pragma once

#include <memory>
#include <string>

#include "image/Image.h"

namespace spine::bench {

class JitlinkBaseline {
 public:
  JitlinkBaseline();
  ~JitlinkBaseline();
  JitlinkBaseline(const JitlinkBaseline &) = delete;
  JitlinkBaseline &operator=(const JitlinkBaseline &) = delete;

  // Links the image's code, runs its spx.init with fresh fuel and a stack limit, then unloads it.
  // Returns an empty string on success, else why linking failed. spx.init must not trap or call the
  // runtime's IO (there is no protected invocation here): counter.spx does neither.
  std::string loadInitUnload(const image::Image &img);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace spine::bench
