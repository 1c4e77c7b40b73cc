// Channel: how generated stubs reach an extension. A Channel matches replies to pending calls by call id and
// routes events to their subscribers; a transport (the shared-memory rings to a NIC, or LoopbackChannel in
// tests) derives from it and supplies only transmit() and calls receive() for every message from the NIC.
//
// Threads: call(), cancel(), subscribe() and close() may be used from any thread. Reply and event callbacks
// run on the thread that calls receive() (the transport's receive thread) without any Channel lock held, so
// they may call into the Channel, but they must not block waiting for another reply of the same Channel.
#pragma once

#include "spine/host/Errors.h"
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

  // Sends a request (a complete message from Writer::finish(); its call id is assigned here) and calls `done`
  // exactly once: with the reply, or with an error if the channel is or gets closed or transmit() throws.
  // `done` may run before call() returns.
  CallId call(Bytes request, ReplyCallback done);
  // Forgets a pending call: `done` will not be called, a late reply is dropped. False if it was not pending
  // (its reply is being or has been delivered).
  bool cancel(CallId id);
  // call() and wait for the reply; throws Timeout after `timeout`, or the call's error.
  Bytes callBlocking(Bytes request, std::chrono::nanoseconds timeout);

  // Calls `callback` with every event `event` of the interface with `fingerprint`, until the Subscription ends.
  Subscription subscribe(std::uint64_t fingerprint, std::uint16_t event, EventCallback callback);
  void setErrorHandler(ErrorHandler handler);

  // Fails every pending call with ChannelClosed; later calls fail the same way. Idempotent.
  void close() { close("the channel was closed"); }
  // The same, with the reason the failed calls' ChannelClosed carries ("the NIC went away").
  void close(const std::string &reason);
  bool closed() const;
  std::size_t pendingCalls() const;
  // Replies that arrived for no pending call (timed out or cancelled), and events nobody subscribed to.
  std::uint64_t droppedMessages() const;

protected:
  // Sends one complete message to the NIC. May block for back-pressure; throws on failure.
  virtual void transmit(Bytes message) = 0;
  // Called by the transport for each message from the NIC (a reply or an event), in order.
  void receive(const std::uint8_t *message, std::size_t size);
  // A caller waiting for its reply lends its thread to the transport: take and deliver what has arrived, if no
  // other thread is doing so, and say whether anything was. A transport whose receiving cannot be shared keeps
  // the default (nothing).
  virtual bool progress() { return false; }
  void reportError(std::exception_ptr error);

private:
  std::shared_ptr<detail::ChannelState> state_;
};

}  // namespace spine::host
