#include "spine/host/Channel.h"

#include <atomic>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <unordered_map>
#include <thread>
#include <vector>

namespace spine::host {
namespace {
constexpr std::chrono::microseconds kSpinBeforeSleep{50};
}  // namespace

namespace detail {
struct ChannelState {
  struct Sub {
    std::uint64_t fingerprint;
    std::uint16_t event;
    std::shared_ptr<EventCallback> callback;
  };
  mutable std::mutex mutex;
  std::unordered_map<std::uint64_t, ReplyCallback> pending;
  std::unordered_map<std::uint64_t, Sub> subs;
  std::uint64_t nextCall = 1, nextSub = 1;
  std::uint64_t dropped = 0;
  bool closed = false;
  std::string closedReason;
  std::shared_ptr<ErrorHandler> onError;
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
  if (auto s = state_.lock()) {
    std::lock_guard<std::mutex> lock(s->mutex);
    s->subs.erase(id_);
  }
  state_.reset();
  id_ = 0;
}

bool Subscription::active() const {
  auto s = state_.lock();
  if (!s) return false;
  std::lock_guard<std::mutex> lock(s->mutex);
  return s->subs.count(id_) != 0;
}

Channel::Channel() : state_(std::make_shared<ChannelState>()) {}

Channel::~Channel() { close(); }

Channel::CallId Channel::call(Bytes request, ReplyCallback done) {
  if (request.size() < wire::kHeaderSize) throw Error("Channel::call: not a message (shorter than its header)");
  CallId id;
  {
    std::unique_lock<std::mutex> lock(state_->mutex);
    if (state_->closed) {
      lock.unlock();
      done(Reply{{}, std::make_exception_ptr(ChannelClosed(state_->closedReason))});
      return 0;
    }
    id = state_->nextCall++;
    state_->pending.emplace(id, std::move(done));
  }
  wire::storeLE(&request[wire::kCallIdOffset], id, 8);
  try {
    transmit(std::move(request));
  } catch (...) {
    ReplyCallback failed;
    {
      std::lock_guard<std::mutex> lock(state_->mutex);
      auto it = state_->pending.find(id);
      if (it == state_->pending.end()) throw;  // already failed by close()
      failed = std::move(it->second);
      state_->pending.erase(it);
    }
    failed(Reply{{}, std::current_exception()});
  }
  return id;
}

bool Channel::cancel(CallId id) {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->pending.erase(id) != 0;
}

Bytes Channel::callBlocking(Bytes request, std::chrono::nanoseconds timeout) {
  struct Wait {
    std::mutex mutex;
    std::condition_variable cv;
    bool done = false;
    std::atomic<bool> arrived{false};  // set after `done`, so a spinning caller may skip the condition variable
    Reply reply;
  };
  auto w = std::make_shared<Wait>();
  CallId id = call(std::move(request), [w](Reply &&r) {
    std::lock_guard<std::mutex> lock(w->mutex);
    w->reply = std::move(r);
    w->done = true;
    w->arrived.store(true, std::memory_order_release);
    w->cv.notify_one();
  });
  // A reply through shared-memory rings usually comes within microseconds: spin briefly before sleeping on the
  // condition variable, whose wake-up alone costs more than the whole round trip.
  auto spinUntil = std::chrono::steady_clock::now() + std::min<std::chrono::nanoseconds>(timeout, kSpinBeforeSleep);
  // While waiting, the caller takes the replies itself when no one else is (one thread fewer between it and
  // its reply); otherwise it yields, not burns, since the NIC core may need this core to answer.
  while (!w->arrived.load(std::memory_order_acquire) && std::chrono::steady_clock::now() < spinUntil)
    if (!progress()) std::this_thread::yield();
  std::unique_lock<std::mutex> lock(w->mutex);
  if (!w->cv.wait_for(lock, timeout, [&] { return w->done; })) {
    lock.unlock();
    if (cancel(id)) {
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count();
      throw Timeout("no reply within " + std::to_string(ms) + " ms");
    }
    // The reply is being delivered right now: wait for it.
    lock.lock();
    w->cv.wait(lock, [&] { return w->done; });
  }
  if (w->reply.error) std::rethrow_exception(w->reply.error);
  return std::move(w->reply.message);
}

Subscription Channel::subscribe(std::uint64_t fingerprint, std::uint16_t event, EventCallback callback) {
  std::lock_guard<std::mutex> lock(state_->mutex);
  std::uint64_t id = state_->nextSub++;
  state_->subs.emplace(id, ChannelState::Sub{fingerprint, event, std::make_shared<EventCallback>(std::move(callback))});
  return Subscription(state_, id);
}

void Channel::setErrorHandler(ErrorHandler handler) {
  std::lock_guard<std::mutex> lock(state_->mutex);
  state_->onError = handler ? std::make_shared<ErrorHandler>(std::move(handler)) : nullptr;
}

void Channel::close(const std::string &reason) {
  std::unordered_map<std::uint64_t, ReplyCallback> pending;
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    if (!state_->closed) state_->closedReason = reason;
    state_->closed = true;
    pending.swap(state_->pending);
  }
  for (auto &[id, done] : pending) done(Reply{{}, std::make_exception_ptr(ChannelClosed(reason))});
}

bool Channel::closed() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->closed;
}

std::size_t Channel::pendingCalls() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->pending.size();
}

std::uint64_t Channel::droppedMessages() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->dropped;
}

void Channel::reportError(std::exception_ptr error) {
  std::shared_ptr<ErrorHandler> handler;
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    handler = state_->onError;
  }
  if (handler) {
    (*handler)(error);
    return;
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
  std::uint8_t kind = message[wire::kKindOffset];
  if (wire::isReply(kind)) {
    std::uint64_t id = wire::loadLE(message + wire::kCallIdOffset, 8);
    ReplyCallback done;
    {
      std::lock_guard<std::mutex> lock(state_->mutex);
      auto it = state_->pending.find(id);
      if (it == state_->pending.end()) {
        ++state_->dropped;
        return;
      }
      done = std::move(it->second);
      state_->pending.erase(it);
    }
    done(Reply{Bytes(message, message + size), nullptr});
    return;
  }
  if (kind != static_cast<std::uint8_t>(wire::MessageKind::Event)) {
    reportError(std::make_exception_ptr(
        BadMessage("header.kind", wire::kKindOffset, "kind " + std::to_string(kind) + " is neither a reply nor an event")));
    return;
  }
  std::uint64_t fingerprint = wire::loadLE(message + wire::kFingerprintOffset, 8);
  auto event = static_cast<std::uint16_t>(wire::loadLE(message + wire::kIndexOffset, 2));
  std::vector<std::shared_ptr<EventCallback>> targets;
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    for (auto &[id, sub] : state_->subs)
      if (sub.fingerprint == fingerprint && sub.event == event) targets.push_back(sub.callback);
    if (targets.empty()) ++state_->dropped;
  }
  for (auto &cb : targets) {
    try {
      (*cb)(message, size);
    } catch (...) {
      reportError(std::current_exception());
    }
  }
}

}  // namespace spine::host
