// Records where JITLink placed each loaded image's data and constants, for the memory-safety oracle
// (Oracle.cpp): in writable sections each variable on its own (every defined symbol with a size: module
// variables, spx.state, exception globals), so that an access past one variable into the next is caught too;
// a block without such symbols, and read-only sections (constants, often unnamed), whole. Code, JITLink's own
// sections (the GOT and stubs it synthesises, named "$__...") and unwind tables are left out: generated code
// never reads them.
#include "detail/ImageMemory.h"

#include <set>

#include "llvm/ExecutionEngine/JITLink/JITLink.h"

namespace spine::nicrt::detail {
namespace {

using namespace llvm;
using namespace llvm::orc;

class ImageMemoryRecorder : public ObjectLinkingLayer::Plugin {
 public:
  explicit ImageMemoryRecorder(Runtime::Impl &rt) : rt_(rt) {}

  void modifyPassConfig(MaterializationResponsibility &, jitlink::LinkGraph &,
                        jitlink::PassConfiguration &config) override {
    // Code refers to a module variable through its section (.bss + offset), so the variable's own symbol
    // would be pruned as unreferenced before allocation: keep the symbols of writable data.
    config.PrePrunePasses.push_back([](jitlink::LinkGraph &g) {
      for (jitlink::Section &sec : g.sections())
        if ((sec.getMemProt() & MemProt::Write) != MemProt::None)
          for (jitlink::Symbol *s : sec.symbols())
            if (s->isDefined() && s->getSize() != 0) s->setLive(true);
      return Error::success();
    });
    config.PostAllocationPasses.push_back([this](jitlink::LinkGraph &g) {
      record(g);
      return Error::success();
    });
  }
  Error notifyFailed(MaterializationResponsibility &) override { return Error::success(); }
  Error notifyRemovingResources(JITDylib &, ResourceKey) override { return Error::success(); }
  void notifyTransferringResources(JITDylib &, ResourceKey, ResourceKey) override {}

 private:
  void record(jitlink::LinkGraph &g) {
    std::vector<ImageMemory> *into = rt_.linkedMemory;  // the image Runtime::load is linking
    if (!into) return;
    for (jitlink::Section &sec : g.sections()) {
      StringRef name = sec.getName();
      if (sec.getMemLifetime() == MemLifetime::NoAlloc || name.starts_with("$__") || name.starts_with(".eh_frame"))
        continue;
      MemProt prot = sec.getMemProt();
      if ((prot & MemProt::Exec) != MemProt::None || (prot & MemProt::Read) == MemProt::None) continue;
      bool writable = (prot & MemProt::Write) != MemProt::None;
      std::set<const jitlink::Block *> named;
      if (writable)
        for (jitlink::Symbol *s : sec.symbols()) {
          if (!s->isDefined() || s->getSize() == 0) continue;
          uintptr_t begin = s->getAddress().getValue();
          into->push_back({begin, begin + s->getSize(), true});
          named.insert(&s->getBlock());
        }
      for (jitlink::Block *b : sec.blocks()) {
        if (named.count(b)) continue;
        uintptr_t begin = b->getAddress().getValue();
        into->push_back({begin, begin + b->getSize(), writable});
      }
    }
  }

  Runtime::Impl &rt_;
};

}  // namespace

std::shared_ptr<llvm::orc::ObjectLinkingLayer::Plugin> makeImageMemoryRecorder(Runtime::Impl &rt) {
  return std::make_shared<ImageMemoryRecorder>(rt);
}

}  // namespace spine::nicrt::detail
