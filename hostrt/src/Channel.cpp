#include "spine/host/Channel.h"

#include "CallTable.h"

#include <atomic>
#include <iostream>
#include <mutex>
#include <thread>
#include <vector>

namespace spine::host {
namespace {
// How long a blocking caller spins (taking replies itself) before it sleeps: a reply through shared-memory rings
// usually comes within a microsecond, and a sleep and wake-up alone cost several.
constexpr std::chrono::microseconds kSpinBeforeSleep{50};
// The clock is read once every this many rounds of the spin (it costs as much as a round).
constexpr unsigned kRoundsPerClockRead = 64;

thread_local int tReceiving = 0;  // this thread is inside receive(): it delivers the replies others wait for
// How long a send may wait for room in the transport (sendPatience()): a blocking call's timeout, else this.
constexpr std::chrono::nanoseconds kDefaultSendPatience = std::chrono::seconds(10);
thread_local std::chrono::nanoseconds tPatience = kDefaultSendPatience;
}  // namespace

namespace detail {
// What Subscriptions share with their Channel (they may outlive it). Subscribers are an immutable list replaced
// on each change, so delivering an event takes one reference under the lock and allocates nothing.
struct ChannelState {
  struct Sub {
    std::uint64_t id;
    std::uint64_t fingerprint;
    std::uint16_t event;
    std::shared_ptr<EventCallback> callback;
  };
  using Subs = std::vector<Sub>;
  mutable std::mutex mutex;
  std::shared_ptr<const Subs> subs = std::make_shared<Subs>();
  std::uint64_t nextSub = 1;
  std::atomic<std::uint64_t> dropped{0};
  std::atomic<bool> closed{false};
  std::string closedReason;  // under mutex
  std::shared_ptr<ErrorHandler> onError;

  void removeSub(std::uint64_t id) {
    std::lock_guard<std::mutex> lock(mutex);
    auto next = std::make_shared<Subs>();
    for (const Sub &s : *subs)
      if (s.id != id) next->push_back(s);
    subs = std::move(next);
  }
  bool hasSub(std::uint64_t id) const {
    std::lock_guard<std::mutex> lock(mutex);
    for (const Sub &s : *subs)
      if (s.id == id) return true;
    return false;
  }
};
}  // namespace detail

using detail::ChannelState;

Subscription::Subscription(Subscription &&other) noexcept : state_(std::move(other.state_)), id_(other.id_) {
  other.id_ = 0;
}

Subscription &Subscription::operator=(Subscription &&other) noexcept {
  if (this != &other) {
    cancel();
    state_ = std::move(other.state_);
    id_ = other.id_;
    other.id_ = 0;
  }
  return *this;
}

void Subscription::cancel() {
  if (auto s = state_.lock()) s->removeSub(id_);
  state_.reset();
  id_ = 0;
}

bool Subscription::active() const {
  auto s = state_.lock();
  return s && s->hasSub(id_);
}

Channel::Channel() : state_(std::make_shared<ChannelState>()), calls_(std::make_unique<detail::CallTable>()) {}

Channel::~Channel() { close(); }

namespace {
std::exception_ptr closedError(const ChannelState &s) {
  std::lock_guard<std::mutex> lock(s.mutex);
  return std::make_exception_ptr(ChannelClosed(s.closedReason));
}
}  // namespace

// An entry in the call table for a new call (waiting, when all are pending, until one completes), or 0 with
// the call failed when the channel is closed.
Channel::CallId Channel::begin(MessageBuffer &request, MessageBuffer *sink, ReplyCallback *done) {
  if (request.size() < wire::kHeaderSize) throw Error("Channel::call: not a message (shorter than its header)");
  CallId id;
  while ((id = calls_->open(sink, done)) == 0) {
    if (state_->closed.load()) break;
    if (tReceiving)  // the replies that would free an entry are delivered by this very thread
      throw Error("more than " + std::to_string(kMaxPendingCalls) +
                  " calls pending, and this callback runs on the thread that delivers their replies");
    if (!progress()) std::this_thread::yield();
  }
  // Seq_cst (the default): pairs with close(), which stores the flag and then fails the pending entries.
  if (state_->closed.load()) {
    std::exception_ptr error = closedError(*state_);
    if (id == 0) {
      if (done && *done) (*done)(Reply{{}, error});
    } else {
      calls_->fail(id, error);  // false when close() got there first: the call is failed either way
      if (sink) {
        while (!calls_->ready(id)) std::this_thread::yield();
        calls_->finish(id);
      }
    }
    if (sink) std::rethrow_exception(error);
    return 0;
  }
  wire::storeLE(request.data() + wire::kCallIdOffset, id, 8);
  return id;
}

// Transmits call `id`'s request; when that throws, the call ends with the error (a blocking caller finds it
// when it waits; a callback is called with it).
void Channel::transmitOrFail(MessageBuffer &request, CallId id, std::chrono::nanoseconds patience) {
  struct Patience {  // how long the transport may wait for room (sendPatience())
    explicit Patience(std::chrono::nanoseconds t) : saved(tPatience) { tPatience = t; }
    ~Patience() { tPatience = saved; }
    std::chrono::nanoseconds saved;
  } scope(patience);
  try {
    transmit(request.data(), request.size());
  } catch (...) {
    // False when close() failed the call first: it ends with ChannelClosed then, exactly once either way.
    calls_->fail(id, std::current_exception());
  }
}

std::chrono::nanoseconds Channel::sendPatience() { return tPatience; }

Channel::CallId Channel::callMessage(MessageBuffer &request, ReplyCallback done) {
  CallId id = begin(request, nullptr, &done);
  if (id != 0) transmitOrFail(request, id, kDefaultSendPatience);
  return id;
}

void Channel::callBlockingMessage(MessageBuffer &request, std::chrono::nanoseconds timeout, MessageBuffer &reply) {
  CallId id = begin(request, &reply, nullptr);
  transmitOrFail(request, id, timeout);
  await(id, timeout);
}

Channel::CallId Channel::call(Writer &request, ReplyCallback done) {
  return callMessage(request.complete(), std::move(done));
}

Channel::CallId Channel::call(Bytes request, ReplyCallback done) {
  MessageBuffer m;
  m.assign(request.data(), request.size());
  return callMessage(m, std::move(done));
}

bool Channel::cancel(CallId id) { return calls_->cancel(id); }

void Channel::callBlocking(Writer &request, std::chrono::nanoseconds timeout, MessageBuffer &reply) {
  callBlockingMessage(request.complete(), timeout, reply);
}

Bytes Channel::callBlocking(Bytes request, std::chrono::nanoseconds timeout) {
  MessageBuffer m, reply;
  m.assign(request.data(), request.size());
  callBlockingMessage(m, timeout, reply);
  return reply.toBytes();
}

// Waits for blocking call `id`: spins first, taking the replies itself while no other thread does (one thread
// fewer between it and its reply), yielding rather than burning when another thread does (the NIC core may need
// this core); then sleeps until the reply, an error or the timeout.
void Channel::await(CallId id, std::chrono::nanoseconds timeout) {
  using Clock = std::chrono::steady_clock;
  if (!calls_->ready(id)) {
    // The wait's hooks in a scope: a throw from progress() (a callback's error, no memory) ends it too.
    struct Waiting {
      Channel &channel;
      bool on = true;
      explicit Waiting(Channel &c) : channel(c) { channel.waitBegins(); }
      void end() {
        if (on) channel.waitEnds();
        on = false;
      }
      ~Waiting() { end(); }
    } waiting(*this);
    bool timedOut = false;
    try {
      // The clock is first read after a round of spinning, so the timeout counts from then (microseconds late).
      Clock::time_point deadline{}, spinEnd{};
      for (unsigned round = 1; !calls_->ready(id); ++round) {
        if (waiting.on) {
          detail::CallTable::DeliveringOwnReply own(*calls_, id);
          if (!progress()) std::this_thread::yield();
          if (round % kRoundsPerClockRead != 0) continue;
        }
        Clock::time_point now = Clock::now();
        if (deadline == Clock::time_point{}) {
          // Saturated: a timeout of nanoseconds::max() means no limit, not an overflow into the past.
          deadline = timeout >= Clock::time_point::max() - now ? Clock::time_point::max() : now + timeout;
          spinEnd = now + std::min<std::chrono::nanoseconds>(timeout, kSpinBeforeSleep);
        }
        if (now >= deadline) {
          waiting.end();
          if (calls_->withdraw(id)) {
            timedOut = true;
            break;
          }
          while (!calls_->ready(id)) std::this_thread::yield();  // its reply is being delivered right now
          break;
        }
        if (waiting.on && now >= spinEnd) waiting.end();  // from now on the transport's receive thread delivers
        if (!waiting.on) calls_->sleepUntilReady(id, std::min(deadline, now + std::chrono::milliseconds(100)));
      }
    } catch (...) {
      // Not this call's error: the call must not outlive this frame, whose buffer is its sink.
      waiting.end();
      if (!calls_->withdraw(id)) {
        while (!calls_->ready(id)) std::this_thread::yield();
        calls_->finish(id);
      }
      throw;
    }
    if (timedOut) {
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count();
      throw Timeout("no reply within " + std::to_string(ms) + " ms");
    }
  }
  if (std::exception_ptr error = calls_->finish(id)) std::rethrow_exception(error);
}

void Channel::send(Writer &request) {
  MessageBuffer &m = request.complete();
  if (state_->closed.load()) std::rethrow_exception(closedError(*state_));
  wire::storeLE(m.data() + wire::kCallIdOffset, 0, 8);
  transmit(m.data(), m.size());  // patience: the default (tPatience outside a call)
}

Subscription Channel::subscribe(std::uint64_t fingerprint, std::uint16_t event, EventCallback callback) {
  std::lock_guard<std::mutex> lock(state_->mutex);
  std::uint64_t id = state_->nextSub++;
  auto next = std::make_shared<ChannelState::Subs>(*state_->subs);
  next->push_back({id, fingerprint, event, std::make_shared<EventCallback>(std::move(callback))});
  state_->subs = std::move(next);
  return Subscription(state_, id);
}

void Channel::setErrorHandler(ErrorHandler handler) {
  std::lock_guard<std::mutex> lock(state_->mutex);
  state_->onError = handler ? std::make_shared<ErrorHandler>(std::move(handler)) : nullptr;
}

void Channel::close(const std::string &reason) {
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    if (state_->closed.load()) {
      // Already closed: calls begun since then failed themselves.
    } else {
      state_->closedReason = reason;
      state_->closed.store(true);  // seq_cst: see begin()
    }
  }
  if (std::exception_ptr thrown = calls_->failAll(closedError(*state_))) reportError(thrown);
}

bool Channel::closed() const { return state_->closed.load(); }

std::size_t Channel::pendingCalls() const { return calls_->pending(); }

std::uint64_t Channel::droppedMessages() const { return state_->dropped.load(std::memory_order_relaxed); }

void Channel::reportError(std::exception_ptr error) {
  std::shared_ptr<ErrorHandler> handler;
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    handler = state_->onError;
  }
  if (handler) {
    try {
      (*handler)(error);
      return;
    } catch (...) {  // the handler itself failed: fall back to stderr, never into the delivering thread
      error = std::current_exception();
    }
  }
  try {
    std::rethrow_exception(error);
  } catch (const std::exception &e) {
    std::cerr << "spine::host::Channel: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "spine::host::Channel: unknown error\n";
  }
}

void Channel::receive(const std::uint8_t *message, std::size_t size) {
  // Only what routing needs is read here; the stub that owns the call or event validates the rest, so a
  // malformed reply fails its own call with BadMessage instead of leaving it to time out.
  if (size < wire::kHeaderSize) {
    reportError(std::make_exception_ptr(
        BadMessage("header", 0, "message of " + std::to_string(size) + " bytes is shorter than its header")));
    return;
  }
  struct Receiving {
    Receiving() { ++tReceiving; }
    ~Receiving() { --tReceiving; }
  } receiving;
  std::uint8_t kind = message[wire::kKindOffset];
  if (wire::isReply(kind)) {
    std::uint64_t id = wire::loadLE(message + wire::kCallIdOffset, 8);
    if (id == 0) return;  // the reply to a one-way request: nobody waits for it
    try {
      if (!calls_->deliver(id, message, size)) state_->dropped.fetch_add(1, std::memory_order_relaxed);
    } catch (...) {  // an asynchronous call's callback threw (its call is complete): not the deliverer's problem
      reportError(std::current_exception());
    }
    return;
  }
  if (kind != static_cast<std::uint8_t>(wire::MessageKind::Event)) {
    reportError(std::make_exception_ptr(
        BadMessage("header.kind", wire::kKindOffset, "kind " + std::to_string(kind) + " is neither a reply nor an event")));
    return;
  }
  std::uint64_t fingerprint = wire::loadLE(message + wire::kFingerprintOffset, 8);
  auto event = static_cast<std::uint16_t>(wire::loadLE(message + wire::kIndexOffset, 2));
  std::shared_ptr<const ChannelState::Subs> subs;
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    subs = state_->subs;
  }
  bool any = false;
  for (const ChannelState::Sub &sub : *subs) {
    if (sub.fingerprint != fingerprint || sub.event != event) continue;
    // A subscription cancelled after `subs` was taken still sees this event: cancel() does not wait for a
    // delivery under way (as before: callbacks run without a lock held).
    any = true;
    try {
      (*sub.callback)(message, size);
    } catch (...) {
      reportError(std::current_exception());
    }
  }
  if (!any) state_->dropped.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace spine::host
