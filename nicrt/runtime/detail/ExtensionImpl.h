// What an Extension is made of, shared by the loader (which builds it) and the invocation code.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "detail/BufferContext.h"
#include "detail/Heap.h"
#include "detail/HostContext.h"
#include "detail/PeerContext.h"
#include "detail/PacketContext.h"
#include "detail/TimerContext.h"
#include "elf/ElfLinker.h"
#include "spine/nicrt/Runtime.h"

namespace spine::nicrt {
namespace detail {
// "spx.request.I" (include/spine/abi.h).
using RequestDispatcher = uint64_t(uint32_t index, const uint8_t *payload, uint64_t length);
}  // namespace detail

struct Extension::Impl {
  Runtime::Impl *runtime = nullptr;
  image::Image image;                 // the manifest, files and sites; `code` is left empty
  std::unique_ptr<elf::LinkedCode> code;  // the mapped, relocated image (unmapped with the extension)
  struct spx_state *state = nullptr;  // the image's "spx.state"
  void (*init)(void) = nullptr;       // the image's "spx.init"
  Limits limits;
  detail::Arena heap;
  const OutputSink *sink = nullptr;   // the runtime's
  // IO output since the last complete line. It never holds more than kMaxPartialLine bytes: a longer partial
  // line is passed on in pieces (docs/runtime-loader.md, "Output").
  static constexpr size_t kMaxPartialLine = 4096;
  std::string pendingOutput;
  // What the memory-safety oracle allows besides the invocation's stack (spx_rt_oracle_check, Oracle.cpp).
  const std::vector<elf::DataRegion> *imageMemory = nullptr;
  detail::PacketContext *packets = nullptr;  // the NIC's packets while deployed on one (Packet.*), else none
  detail::HostContext *host = nullptr;       // the NIC's host channel (events), else none
  detail::TimerContext *timers = nullptr;    // the NIC's timers, else none (they never fire)
  detail::BufferContext *buffers = nullptr;  // the application buffers registered for it, else none
  detail::PeerContext *peers = nullptr;      // the NIC's peer devices, else none (none reachable)
  uint64_t eventsPosted = 0, eventsRefused = 0;
  uint8_t *eventPayload = nullptr;           // the payload of the event being encoded (the oracle lets code write it)
  size_t eventPayloadSize = 0;  // the image's data and constants (not its code)
  // The message interfaces the image exports, with their request dispatchers (Requests.cpp).
  struct MessageInterface {
    uint64_t fingerprint = 0;
    std::string name;
    size_t requests = 0;
    detail::RequestDispatcher *dispatch = nullptr;
  };
  std::vector<MessageInterface> messageInterfaces;
  // The request being served: its payload (read by generated code), its header (copied into the reply), the
  // reply, and the scratch blocks its decoded arguments live in (freed when the request ends).
  const uint8_t *requestPayload = nullptr;
  size_t requestPayloadSize = 0;
  uint8_t requestHeader[24] = {};
  std::vector<uint8_t> *reply = nullptr;  // non-null while a request is served
  bool replied = false;
  std::vector<std::pair<void *, size_t>> scratch;
  size_t scratchBytes = 0;
  void freeScratch();
  bool oracle = false;                // the code calls spx_rt_oracle_check (spinec --oracle)
  void *invocationBytes = nullptr;    // Extension::setInvocationBytes; only the oracle reads them
  size_t invocationByteCount = 0;
  // Inline for the NIC's dispatcher, which sets them before every invocation of an oracle image.
  void setInvocationBytes(void *data, size_t size) {
    invocationBytes = data;
    invocationByteCount = data ? size : 0;
  }

  void write(std::string_view text);  // IO: passes complete lines on to the sink
  void writeLine(std::string_view line);  // Log: one whole line, after any pending partial line
  void flushOutput();                 // at the end of every invocation
  void describeSite(Outcome &outcome) const;
};

}  // namespace spine::nicrt
