// The NIC runtime's loader and protected invocation: link a verified image's code against the runtime's
// export table (and nothing else), then run its procedures so that a checked runtime error, fuel, stack or
// heap exhaustion stops only that invocation. docs/runtime-loader.md explains the design.
//
//   spine::nicrt::Runtime rt;                            // one per NIC (JIT session + export table)
//   auto loaded = rt.load(image);                        // image already signature-checked by the caller
//   if (!loaded) { report(loaded.error); }
//   spine::nicrt::Outcome o = loaded.extension->runInit();
//   if (o.trapped()) fprintf(stderr, "%s\n", o.message().c_str());   // "f.spx:3:7: checked runtime error: range"
//
// Threads: a Runtime may load from several threads, but an Extension runs one invocation at a time (its
// spx.state is per image). Every Extension must be destroyed before the Runtime that loaded it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

#include "image/Image.h"
#include "image/ImageReader.h"
#include "spine/abi.h"

namespace spine::nicrt {

// Per-extension resource limits. Fuel and stack apply to each invocation, the heap to the extension's life.
struct Limits {
  int64_t fuel = 100'000'000;         // spx.state.fuel at the start of every invocation
  size_t stackBytes = 1 << 20;        // stack an invocation may use below its entry frame
  size_t heapBytes = 64 << 20;        // total bytes NEW may hand out (rounded up to 16 each)
  size_t imageBytes = 64 << 20;       // what the image takes once loaded: code, constants, module variables
};

// Receives what extensions write through IO and Log, one or more complete lines at a time (a partial line
// is passed on when the invocation that wrote it ends). Called on the invoking thread.
using OutputSink = std::function<void(std::string_view text)>;

struct RuntimeOptions {
  OutputSink output;           // empty: standard output
  Limits limits;               // initial limits of every extension loaded
  bool debuggerSupport = true; // register images that carry DWARF with gdb's JIT interface
};

// An interface the runtime exports: images may import it if their fingerprint matches.
struct ExportedInterface {
  std::string_view name;
  uint64_t fingerprint;
};

// How a protected invocation ended.
struct Outcome {
  enum class Status { Ok, Trapped, ExceptionEscaped };
  Status status = Status::Ok;
  uint32_t trapKind = 0;            // enum spx_trap_kind, when Trapped
  uint32_t site = 0;                // index into the image's trap-site table, when Trapped
  std::string_view file;            // the site's source file; empty if the site is not in the table
  uint32_t line = 0, column = 0;    // of the site; 0 if unknown
  const void *exception = nullptr;  // spx.state.exc, when ExceptionEscaped
  std::string detail;               // what the runtime knows beyond the kind (the oracle: which access), or empty

  bool ok() const { return status == Status::Ok; }
  bool trapped() const { return status == Status::Trapped; }
  std::string_view trapName() const { return spx_trap_name(trapKind); }
  // The words after "checked runtime error: ": the detail when there is one, else the kind's name.
  std::string_view what() const { return detail.empty() ? trapName() : std::string_view(detail); }
  // "file:line:column: checked runtime error: <name>" (or "...: exception escaped from <symbol>").
  std::string message() const;
};

// An outcome and, when ok(), the procedure's result.
template <class R>
struct Result : Outcome {
  R value{};
};

class Runtime;
class Nic;

// A Rejected reply (docs/messages.md) to `request` (at least a header: its index, fingerprint and call id are
// copied) carrying `reason`.
std::vector<uint8_t> rejectedReply(std::span<const uint8_t> request, std::string_view reason);

// One host request served (Extension::serveRequest).
struct RequestResult {
  std::vector<uint8_t> reply;  // the reply message (docs/messages.md); empty only for a message shorter than
                               // the header, which cannot be answered
  bool ran = false;            // the request's procedure was called (its reply is Result, Exception or Trapped)
  Outcome outcome;             // how the invocation ended; ok when nothing ran
  std::string rejected;        // why the message was refused (the Rejected reply's reason), else empty
};

// A loaded image. Destroying it unloads the code (the JIT'd memory is freed) and frees its heap.
class Extension {
 public:
  ~Extension();
  Extension(const Extension &) = delete;
  Extension &operator=(const Extension &) = delete;

  const std::string &module() const;  // manifest.module
  const image::Image &image() const;

  // Runs the image's "spx.init" (the module bodies) in a protected invocation.
  Outcome runInit();

  // The address of a symbol the image defines ("Filter.Filter"), or nullptr. Not for the runtime's own
  // exports. Resolve once, then invoke many times.
  void *lookup(std::string_view symbol) const;
  template <class Fn>
  Fn *lookupAs(std::string_view symbol) const {
    static_assert(std::is_function_v<Fn>, "lookupAs<int64_t(uint8_t *, int64_t)>(...)");
    return reinterpret_cast<Fn *>(lookup(symbol));
  }

  // Calls `fn` (an address from lookup) in a protected invocation: fresh fuel, stack limit, exc = NULL.
  // Costs a setjmp and a few stores; nothing is allocated.
  template <class R, class... A>
  Result<R> invoke(R (*fn)(A...), std::type_identity_t<A>... args);
  template <class... A>
  Outcome invoke(void (*fn)(A...), std::type_identity_t<A>... args);

  // Serves one request message of a message interface the image exports (docs/messages.md): checks the header,
  // then, in one protected invocation, the generated dispatcher checks and decodes the payload, runs the request
  // and encodes its result or exception. A trap during it gives a Trapped reply (and the outcome says how); a
  // message that is not a valid request gives a Rejected reply and runs nothing. Always exactly one reply,
  // except for a message shorter than the header.
  RequestResult serveRequest(std::span<const uint8_t> message) {
    RequestResult r;
    serveRequest(message, r);
    return r;
  }
  // The same into `result`, whose reply buffer keeps its capacity from one request to the next (the NIC's
  // dispatcher serves every request through one, so a reply allocates nothing once it has grown).
  void serveRequest(std::span<const uint8_t> message, RequestResult &result);

  Limits &limits();                    // change before an invocation; heapBytes applies from the next NEW
  // The bytes the next invocations work on (a packet's data, handed to VIEW): the memory-safety oracle
  // (spinec --oracle) lets the extension's code read and write them. Empty (nullptr, 0) by default.
  void setInvocationBytes(void *data, size_t size);
  size_t heapUsed() const;             // bytes NEW has handed out so far
  int64_t fuelLeft() const;            // spx.state.fuel after the last invocation

  struct Impl;

 private:
  friend class Runtime;
  friend class Nic;  // attaches the NIC's packets to the extensions deployed on it (nicrt/nic)
  explicit Extension(std::unique_ptr<Impl> impl);
  Outcome protectedCall(void (*thunk)(void *), void *context);

  std::unique_ptr<Impl> impl_;
};

// Either a loaded extension or why the image was refused (one line per problem).
struct LoadResult {
  std::unique_ptr<Extension> extension;
  std::string error;
  explicit operator bool() const { return extension != nullptr; }
};

class Runtime {
 public:
  explicit Runtime(RuntimeOptions options = {});
  ~Runtime();
  Runtime(const Runtime &) = delete;
  Runtime &operator=(const Runtime &) = delete;

  // Checks the manifest's imports against exportedInterfaces(), checks that every undefined symbol of the
  // code is in the export table, then links the code. Does not run anything.
  // Only a VerifiedImage (made by image::readImage after the signature verified) can be loaded.
  LoadResult load(const image::VerifiedImage &image);

  // The interfaces this runtime exports, with the fingerprints of the stdlib it was built with.
  static const std::vector<ExportedInterface> &exportedInterfaces();
  // Every symbol an image may leave undefined (interface procedures, spx_rt_*, memcpy/memmove/memset).
  static std::vector<std::string_view> exportedSymbols();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// ---- implementation of the templates ---------------------------------------------------------------------

template <class R, class... A>
Result<R> Extension::invoke(R (*fn)(A...), std::type_identity_t<A>... args) {
  struct Call {
    R (*fn)(A...);
    std::tuple<A...> args;
    R result;
  } call{fn, {args...}, R{}};
  auto thunk = +[](void *p) {
    auto *c = static_cast<Call *>(p);
    c->result = std::apply(c->fn, c->args);
  };
  Result<R> r;
  static_cast<Outcome &>(r) = protectedCall(thunk, &call);
  if (r.ok()) r.value = call.result;
  return r;
}

template <class... A>
Outcome Extension::invoke(void (*fn)(A...), std::type_identity_t<A>... args) {
  struct Call {
    void (*fn)(A...);
    std::tuple<A...> args;
  } call{fn, {args...}};
  auto thunk = +[](void *p) {
    auto *c = static_cast<Call *>(p);
    std::apply(c->fn, c->args);
  };
  return protectedCall(thunk, &call);
}

}  // namespace spine::nicrt
