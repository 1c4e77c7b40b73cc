// The runtime's JIT session: one ExecutionSession and ObjectLinkingLayer, a JITDylib holding only the
// export table, and one JITDylib per loaded extension that links against that one and nothing else.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>
#include <string>

#include "llvm/ExecutionEngine/Orc/Core.h"
#include "llvm/ExecutionEngine/Orc/ObjectLinkingLayer.h"
#include "detail/ExtensionImpl.h"
#include "spine/nicrt/Runtime.h"

namespace spine::nicrt {

struct Runtime::Impl {
  RuntimeOptions options;
  OutputSink sink;  // options.output, or standard output
  std::unique_ptr<llvm::orc::ExecutionSession> session;
  std::unique_ptr<llvm::orc::ObjectLinkingLayer> linker;
  llvm::orc::JITDylib *exports = nullptr;
  bool debuggerRegistration = false;
  std::mutex loadMutex;                         // one load at a time, so linkErrors belongs to it
  std::vector<std::string> *linkErrors = nullptr;  // where the session's error reporter collects
  std::vector<detail::ImageMemory> *linkedMemory = nullptr;  // where the image being linked is recorded
  std::atomic<uint64_t> loadCount{0};
  std::atomic<int64_t> liveExtensions{0};
};

}  // namespace spine::nicrt
