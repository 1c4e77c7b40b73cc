// libFuzzer target for host requests on the NIC (docs/messages.md): the runtime's header checks
// (Extension::serveRequest) and the request dispatcher spinec generates into the image (CGRequests.cpp), which
// checks, decodes and runs the payload. Any bytes must get exactly one well-formed reply that answers the call
// (Result, Exception, Trapped or Rejected), never a crash, a hang, a lost extension or a growing heap.
//
// The extension is test/unit/Inputs/nic/AllTypesNic.spx (every argument kind), compiled by the fuzz build's own
// spinec twice (fuzz/CMakeLists.txt): as is, and under the memory-safety oracle. Every input is served by both
// and their replies must be the same bytes. The generated decoder is not instrumented by AddressSanitizer, so
// two other checks stand in for it: the plain image gets its message at the very end of a readable page
// (reading past the payload faults), and the oracle's image traps with SPX_TRAP_ORACLE on any access outside
// the extension's memory, which the fuzzer treats as a crash.
//
// Input: the first byte selects how the rest is sent. Below 0xF0 the rest is a payload under a valid header
// (request index = byte % (requests + 2), so a few name no request), so that most inputs reach the decoder;
// from 0xF0 the rest is sent as the whole message, header included. fuzz/request_seeds.cpp writes seeds.
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <memory>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "image/ImageReader.h"
#include "image/Keys.h"
#include "nic/Nic.h"
#include "spine/abi.h"
#include "spine/wire.h"

namespace {

using namespace spine;

constexpr uint8_t kRawFrom = 0xF0;
constexpr size_t kHeapQuota = 1 << 20;
constexpr int64_t kFuel = 100'000;  // Echo's endless loop (e.i = 6) traps fast

[[noreturn]] void fail(const char *what) {
  std::fprintf(stderr, "request_fuzzer: %s\n", what);
  std::abort();
}

void require(bool ok, const char *what) {
  if (!ok) fail(what);
}

image::VerifiedImage loadImage(const std::string &path, const image::PublicKey &key) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(("cannot read " + path).c_str());
  std::stringstream bytes;
  bytes << in.rdbuf();
  image::ReadResult r = image::readImage(bytes.str(), {key});
  if (!r.ok()) fail((path + ": " + r.error).c_str());
  return *r.image;
}

// One NIC with one extension deployed (fault policy Keep: a trap must leave it serving).
struct Target {
  image::VerifiedImage image;
  std::unique_ptr<nicrt::Nic> nic;
  uint32_t id = 0;
  size_t lastHeapUsed = 0;

  explicit Target(image::VerifiedImage img) : image(std::move(img)) {
    nicrt::NicOptions o;
    o.debuggerSupport = false;
    o.limits.fuel = kFuel;
    o.limits.heapBytes = kHeapQuota;
    nic = std::make_unique<nicrt::Nic>(o);
    redeploy();
  }
  // A TEXT argument stays in the extension's heap for its life (docs/messages.md): a fresh deployment now and
  // then keeps the quota from running out, which would turn every later TEXT-carrying request into a rejection.
  void redeploy() {
    nicrt::DeployOptions d;
    d.faultPolicy = nicrt::FaultPolicy::Keep;
    nicrt::DeployResult r = id ? nic->replace(id, image, d) : nic->deploy(image, d);
    if (!r) fail(("deploy: " + r.error).c_str());
    id = r.id;
  }
  size_t heapUsed() const {
    auto info = nic->extensions();
    require(info.size() == 1 && info[0].id == id, "the extension is no longer deployed");
    require(info[0].state == nicrt::ExtensionState::Running, "the extension is no longer running");
    return info[0].heapUsed;
  }
};

// Copies `message` so that its last byte is the last readable byte before a PROT_NONE page.
class GuardedBuffer {
 public:
  explicit GuardedBuffer(size_t capacity) {
    size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    size_ = (capacity + page - 1) / page * page;
    void *p = mmap(nullptr, size_ + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    require(p != MAP_FAILED, "mmap");
    base_ = static_cast<uint8_t *>(p);
    require(mprotect(base_ + size_, page, PROT_NONE) == 0, "mprotect");
  }
  size_t capacity() const { return size_; }
  std::span<const uint8_t> place(const std::vector<uint8_t> &message) {
    uint8_t *at = base_ + size_ - message.size();
    if (!message.empty()) std::memcpy(at, message.data(), message.size());
    return {at, message.size()};
  }

 private:
  uint8_t *base_ = nullptr;
  size_t size_ = 0;
};

struct Fuzzer {
  std::unique_ptr<Target> plain, oracle;
  uint64_t fingerprint = 0;
  uint16_t requests = 0;
  GuardedBuffer guarded{1 << 20};

  Fuzzer() {
    std::string err;
    auto key = image::readPublicKey(SPINE_REQUEST_FUZZ_DIR "/fuzz.pub", err);
    if (!key) fail(err.c_str());
    plain = std::make_unique<Target>(loadImage(SPINE_REQUEST_FUZZ_DIR "/AllTypesNic.spxo", *key));
    oracle = std::make_unique<Target>(loadImage(SPINE_REQUEST_FUZZ_DIR "/AllTypesNicOracle.spxo", *key));
    for (const auto &m : plain->image->manifest.messages)
      if (!m.requests.empty()) {
        fingerprint = m.fingerprint;
        requests = static_cast<uint16_t>(m.requests.size());
      }
    require(requests > 0, "the image exports no request");
  }
};

Fuzzer &fuzzer() {
  static Fuzzer f;
  return f;
}

// Feedback from the replies. The generated decoder is not instrumented for coverage, so libFuzzer would see only
// the runtime's C++ and never learn that an input got further into a payload. Extra counters (cleared before each
// input) tell it what the reply said instead: per request index, Result, the exception's position, the trap
// kind, or for a rejection of the payload the offset of the bad bytes (how far the decoder got).
constexpr size_t kIndices = 8, kFeatures = 512;
constexpr size_t kException = 1, kTrap = 17, kOtherRejection = 33, kOffset = 64;
__attribute__((section("__libfuzzer_extra_counters"))) uint8_t replyFeatures[kIndices][kFeatures];

void noteReply(const spine_wire_header &reply, const uint8_t *payload) {
  uint8_t *features = replyFeatures[std::min<size_t>(reply.index, kIndices - 1)];
  size_t feature = 0;
  switch (reply.kind) {
    case SPINE_WIRE_EXCEPTION:
      feature = kException + std::min<uint64_t>(spine_wire_load_le(payload, 2), 15);
      break;
    case SPINE_WIRE_TRAPPED:
      feature = kTrap + spine_wire_load_le(payload, 4) % 16;
      break;
    case SPINE_WIRE_REJECTED: {
      std::string_view reason(reinterpret_cast<const char *>(payload) + 4, reply.length - 4);
      size_t at = reason.find("payload offset ");
      if (at == std::string_view::npos) {
        feature = kOtherRejection + std::hash<std::string_view>{}(reason.substr(0, 12)) % 16;
        break;
      }
      uint64_t offset = 0;
      for (size_t i = at + 15; i < reason.size() && reason[i] >= '0' && reason[i] <= '9'; ++i)
        offset = offset * 10 + static_cast<uint64_t>(reason[i] - '0');
      constexpr uint64_t exact = kFeatures - kOffset - 64;  // then one feature per power of two
      feature = kOffset + (offset < exact ? offset : exact + std::bit_width(offset));
      break;
    }
    default:
      break;
  }
  features[feature]++;
}

// The message an input stands for (see the top of the file).
std::vector<uint8_t> messageOf(const uint8_t *data, size_t size, const Fuzzer &f) {
  if (data[0] >= kRawFrom) return std::vector<uint8_t>(data + 1, data + size);
  // FNV-1a of the input: a call id that varies, yet is the same when a crashing input is replayed.
  uint64_t callId = 14695981039346656037ull;
  for (size_t i = 0; i < size; ++i) callId = (callId ^ data[i]) * 1099511628211ull;
  spine_wire_header h{};
  h.kind = SPINE_WIRE_REQUEST;
  h.version = SPINE_WIRE_VERSION;
  h.index = static_cast<uint16_t>(data[0] % (f.requests + 2));
  h.length = static_cast<uint32_t>(size - 1);
  h.fingerprint = f.fingerprint;
  h.call_id = callId;
  std::vector<uint8_t> m(SPINE_WIRE_HEADER_SIZE + size - 1);
  spine_wire_header_store(m.data(), &h);
  std::memcpy(m.data() + SPINE_WIRE_HEADER_SIZE, data + 1, size - 1);
  return m;
}

// A TEXT (u32 count, bytes) at `at` of `payload`, ending exactly `tail` bytes before the payload's end.
bool textEndsAt(const uint8_t *payload, size_t length, size_t at, size_t tail) {
  if (length < at + 4 + tail) return false;
  return spine_wire_load_le(payload + at, 4) == length - at - 4 - tail;
}

// Serves `message` on `t`; checks the one reply answers it and is well formed; returns it.
std::vector<uint8_t> serve(Target &t, std::span<const uint8_t> message) {
  bool answered = t.nic->hostRequest(t.id, message);
  std::vector<std::vector<uint8_t>> out = t.nic->takeHostMessages();
  if (message.size() < SPINE_WIRE_HEADER_SIZE) {
    require(!answered && out.empty(), "a message shorter than the header was answered");
    return {};
  }
  require(answered, "hostRequest refused a message with a header");
  require(out.size() == 1, "not exactly one host message for one request");
  const std::vector<uint8_t> &reply = out[0];
  require(reply.size() >= SPINE_WIRE_HEADER_SIZE, "a reply shorter than the header");
  const spine_wire_header rq = spine_wire_header_load(message.data());
  const spine_wire_header rp = spine_wire_header_load(reply.data());
  require(rp.version == SPINE_WIRE_VERSION, "reply version");
  require(rp.length == reply.size() - SPINE_WIRE_HEADER_SIZE, "reply length field");
  require(rp.call_id == rq.call_id, "reply call id is not the request's");
  require(rp.index == rq.index, "reply index is not the request's");
  require(rp.fingerprint == rq.fingerprint, "reply fingerprint is not the request's");
  const uint8_t *payload = reply.data() + SPINE_WIRE_HEADER_SIZE;
  switch (rp.kind) {
    case SPINE_WIRE_RESULT:
      break;
    case SPINE_WIRE_EXCEPTION:
      require(rp.length >= 2, "an Exception reply without its position");
      break;
    case SPINE_WIRE_TRAPPED: {
      require(rp.length >= 4 && textEndsAt(payload, rp.length, 4, 4), "a Trapped reply that does not decode");
      uint64_t kind = spine_wire_load_le(payload, 4);
      require(kind >= 1 && kind <= SPX_TRAP_KIND_LAST, "a Trapped reply with no trap kind");
      require(kind != SPX_TRAP_ORACLE, "the memory-safety oracle trapped: an access outside the extension");
      break;
    }
    case SPINE_WIRE_REJECTED:
      require(textEndsAt(payload, rp.length, 0, 0), "a Rejected reply that does not decode");
      break;
    default:
      fail("a reply of a kind that is no reply");
  }
  t.lastHeapUsed = t.heapUsed();
  require(t.lastHeapUsed <= kHeapQuota, "heap use beyond the quota");
  noteReply(rp, payload);
  return reply;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) return 0;
  Fuzzer &f = fuzzer();
  std::vector<uint8_t> message = messageOf(data, size, f);
  if (message.size() > f.guarded.capacity()) return 0;
  std::vector<uint8_t> plainReply = serve(*f.plain, f.guarded.place(message));
  std::vector<uint8_t> oracleReply = serve(*f.oracle, message);
  require(plainReply == oracleReply, "the image and its --oracle build replied differently");
  if (f.plain->lastHeapUsed > kHeapQuota / 2 || f.oracle->lastHeapUsed > kHeapQuota / 2) {
    f.plain->redeploy();  // both at once, so that their module state stays the same
    f.oracle->redeploy();
  }
  return 0;
}
