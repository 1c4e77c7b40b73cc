// Channel: how generated stubs reach an extension. A Channel matches replies to pending calls by call id and
// routes events to their subscribers; a transport (the shared-memory rings to a NIC, or LoopbackChannel in
// tests) derives from it and supplies only transmit() and calls receive() for every message from the NIC.
//
// Pending calls live in a fixed table (detail::CallTable): a call id names its entry and the entry's generation,
// so a reply finds its call with one compare-and-swap, and a late, cancelled or replayed reply (an old
// generation, or an entry no longer pending) is dropped and counted. A blocking call marshals into the stub's
// inline Writer, is copied once into the transport, and has its reply copied once into the caller's
// MessageBuffer: no allocation, no lock, no map on the way (docs/host.md, "The fast path").
//
// Threads: call(), cancel(), subscribe() and close() may be used from any thread. Reply and event callbacks
// run on the thread that calls receive() (the transport's receive thread, or a caller waiting for its own
// reply) without any Channel lock held, so they may call into the Channel, but they must not block waiting for
// another reply of the same Channel.
#pragma once

#include "spine/host/Errors.h"
#include "spine/host/Marshal.h"
#include "spine/host/MessageBuffer.h"
#include "spine/host/Wire.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>

namespace spine::host {

// The default timeout of generated blocking calls.
constexpr std::chrono::milliseconds kDefaultTimeout{1000};

// What a call ends with: the reply message, or an error (ChannelClosed, a transport failure) and no message.
struct Reply {
  Bytes message;
  std::exception_ptr error;
};
using ReplyCallback = std::function<void(Reply &&)>;
// An event message, header included (see Reader and openEvent()).
using EventCallback = std::function<void(const std::uint8_t *message, std::size_t size)>;
// Failures that belong to no call: an event that does not decode, an exception thrown by an event callback, a
// message too short to have a header. By default they are written to stderr.
using ErrorHandler = std::function<void(std::exception_ptr)>;

namespace detail {
struct ChannelState;
class CallTable;
}

// Ends an event subscription when destroyed (or cancel()ed). May outlive its Channel.
class Subscription {
public:
  Subscription() = default;
  Subscription(Subscription &&other) noexcept;
  Subscription &operator=(Subscription &&other) noexcept;
  Subscription(const Subscription &) = delete;
  Subscription &operator=(const Subscription &) = delete;
  ~Subscription() { cancel(); }
  void cancel();
  bool active() const;

private:
  friend class Channel;
  Subscription(std::weak_ptr<detail::ChannelState> state, std::uint64_t id) : state_(std::move(state)), id_(id) {}
  std::weak_ptr<detail::ChannelState> state_;
  std::uint64_t id_ = 0;
};

class Channel {
public:
  using CallId = std::uint64_t;

  Channel();
  // A derived transport must stop delivering (and call close()) in its own destructor.
  virtual ~Channel();
  Channel(const Channel &) = delete;
  Channel &operator=(const Channel &) = delete;

  // Sends a request and calls `done` exactly once: with the reply, or with an error if the channel is or gets
  // closed or transmit() throws. `done` may run before call() returns. The request's call id is assigned here.
  CallId call(Writer &request, ReplyCallback done);
  CallId call(Bytes request, ReplyCallback done);  // a complete message (Writer::finish())
  // Forgets a pending call: `done` will not be called, a late reply is dropped. False if it was not pending
  // (its reply is being or has been delivered).
  bool cancel(CallId id);
  // Sends a request and waits for its reply, copied into `reply`; throws Timeout after `timeout`, or the call's
  // error. The fast path of generated stubs: nothing is allocated for a message that fits MessageBuffer::kInline.
  void callBlocking(Writer &request, std::chrono::nanoseconds timeout, MessageBuffer &reply);
  Bytes callBlocking(Bytes request, std::chrono::nanoseconds timeout);  // the same for a complete message
  // Sends a request whose reply nobody awaits (call id 0: the reply is dropped when it comes, and not counted).
  void send(Writer &request);

  // Calls `callback` with every event `event` of the interface with `fingerprint`, until the Subscription ends.
  Subscription subscribe(std::uint64_t fingerprint, std::uint16_t event, EventCallback callback);
  void setErrorHandler(ErrorHandler handler);

  // Fails every pending call with ChannelClosed; later calls fail the same way. Idempotent.
  void close() { close("the channel was closed"); }
  // The same, with the reason the failed calls' ChannelClosed carries ("the NIC went away").
  void close(const std::string &reason);
  bool closed() const;
  std::size_t pendingCalls() const;
  // Replies that arrived for no pending call (timed out, cancelled, replayed or never made), and events nobody
  // subscribed to.
  std::uint64_t droppedMessages() const;
  // How long a transport's transmit(), on this thread, may wait for room before it gives up with Timeout: the
  // timeout of the blocking call being sent, or 10 s for other sends (the request was not accepted, so nothing
  // is lost).
  static std::chrono::nanoseconds sendPatience();
  // How many calls may be pending at once; one more waits until one completes.
  static constexpr std::size_t kMaxPendingCalls = 1024;

protected:
  // Sends one complete message to the NIC (copying it: the caller's buffer is reused at once). May block for
  // back-pressure; throws on failure.
  virtual void transmit(const std::uint8_t *message, std::size_t size) = 0;
  // Called by the transport for each message from the NIC (a reply or an event), in order.
  void receive(const std::uint8_t *message, std::size_t size);
  // A caller waiting for its reply lends its thread to the transport: take and deliver what has arrived, if no
  // other thread is doing so, and say whether this thread may go on spinning (false: another thread receives,
  // so yield the core to it). A transport whose receiving cannot be shared keeps the default.
  virtual bool progress() { return false; }
  // Around a blocking caller's wait (a transport may keep its receive thread out of the caller's way).
  virtual void waitBegins() {}
  virtual void waitEnds() {}
  void reportError(std::exception_ptr error);

private:
  // call() and callBlocking() for a complete message, whichever form it came in.
  CallId callMessage(MessageBuffer &request, ReplyCallback done);
  void callBlockingMessage(MessageBuffer &request, std::chrono::nanoseconds timeout, MessageBuffer &reply);
  CallId begin(MessageBuffer &request, MessageBuffer *sink, ReplyCallback *done);
  void transmitOrFail(MessageBuffer &request, CallId id, std::chrono::nanoseconds patience);
  void await(CallId id, std::chrono::nanoseconds timeout);
  std::shared_ptr<detail::ChannelState> state_;
  std::unique_ptr<detail::CallTable> calls_;
};

}  // namespace spine::host
