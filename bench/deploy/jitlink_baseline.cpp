// See jitlink_baseline.h. The session set-up mirrors the JITLink Runtime::Runtime and Runtime::load.
#include "jitlink_baseline.h"

#include <atomic>

#include "llvm/ExecutionEngine/Orc/Core.h"
#include "llvm/ExecutionEngine/Orc/ExecutorProcessControl.h"
#include "llvm/ExecutionEngine/Orc/ObjectLinkingLayer.h"
#include "llvm/Support/MemoryBuffer.h"
#include "spine/abi.h"
#include "spine/nicrt/Exports.h"

namespace spine::bench {

using namespace llvm;
using namespace llvm::orc;

struct JitlinkBaseline::Impl {
  std::unique_ptr<ExecutionSession> session;
  std::unique_ptr<ObjectLinkingLayer> linker;
  JITDylib *exports = nullptr;
  uint64_t loads = 0;
};

JitlinkBaseline::JitlinkBaseline() : impl_(std::make_unique<Impl>()) {
  Impl &b = *impl_;
  auto epc = SelfExecutorProcessControl::Create();
  if (!epc) report_fatal_error(epc.takeError());
  b.session = std::make_unique<ExecutionSession>(std::move(*epc));
  b.session->setErrorReporter([](Error err) { logAllUnhandledErrors(std::move(err), errs(), "jitlink baseline: "); });
  b.linker = std::make_unique<ObjectLinkingLayer>(*b.session);
  b.exports = &b.session->createBareJITDylib("<spine runtime exports>");
  SymbolMap symbols;
  for (const nicrt::ExportedSymbol &s : nicrt::exportedSymbolTable())
    symbols[b.session->intern(StringRef(s.name.data(), s.name.size()))] =
        ExecutorSymbolDef(ExecutorAddr::fromPtr(s.address), JITSymbolFlags::Exported | JITSymbolFlags::Callable);
  cantFail(b.exports->define(absoluteSymbols(std::move(symbols))));
}

JitlinkBaseline::~JitlinkBaseline() {
  if (Error err = impl_->session->endSession()) logAllUnhandledErrors(std::move(err), errs(), "jitlink baseline: ");
  impl_->linker.reset();
  impl_->session.reset();
}

std::string JitlinkBaseline::loadInitUnload(const image::Image &img) {
  Impl &b = *impl_;
  std::string name = img.manifest.module + "#" + std::to_string(++b.loads);
  JITDylib &jd = b.session->createBareJITDylib(name);
  jd.addToLinkOrder(*b.exports, JITDylibLookupFlags::MatchExportedSymbolsOnly);
  std::string error;
  auto fail = [&](Error err) { error = "linking the image's code failed: " + toString(std::move(err)); };
  if (Error err = b.linker->add(jd, MemoryBuffer::getMemBufferCopy(img.code, name))) {
    fail(std::move(err));
  } else {
    auto order = makeJITDylibSearchOrder(&jd, JITDylibLookupFlags::MatchAllSymbols);
    auto init = b.session->lookup(order, b.session->intern("spx.init"));  // links the object
    auto state = init ? b.session->lookup(order, b.session->intern("spx.state"))
                      : Expected<ExecutorSymbolDef>(init.takeError());
    if (!state) {
      fail(state.takeError());
    } else {
      // What a protected invocation sets before entering the image (nicrt's Invocation.cpp), minus the setjmp.
      auto *st = state->getAddress().toPtr<spx_state *>();
      st->fuel = 100'000'000;
      st->stack_limit = reinterpret_cast<uintptr_t>(__builtin_frame_address(0)) - (1 << 20);
      st->exc = nullptr;
      st->runtime = nullptr;
      init->getAddress().toPtr<void (*)(void)>()();
      std::atomic_signal_fence(std::memory_order_seq_cst);
    }
  }
  if (Error err = b.session->removeJITDylib(jd)) {
    if (error.empty()) error = "unloading: " + toString(std::move(err));
    else consumeError(std::move(err));
  }
  return error;
}

}  // namespace spine::bench
