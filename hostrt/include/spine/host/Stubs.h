// What generated stubs include: the Channel, the marshalling, the exceptions, and the two ways a request is
// made -- blocking with a timeout, or asynchronously with a std::future. C++17, like the generated code.
#pragma once

#include "spine/host/Channel.h"
#include "spine/host/Errors.h"
#include "spine/host/Marshal.h"
#include "spine/host/Wire.h"

#include <array>
#include <bitset>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <future>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace spine::host {

// A set constant of the generated code: the bits of the given element positions (ORD - FIRST).
template <std::size_t N>
std::bitset<N> makeSet(std::initializer_list<std::size_t> positions) {
  std::bitset<N> s;
  for (std::size_t p : positions) s.set(p);
  return s;
}

// Sends `request` and decodes its reply with `decode(const std::uint8_t *reply, std::size_t size)`, which
// returns the result (or throws the request's exception). The fast path: the request was marshalled into the
// Writer's inline buffer and the reply arrives in one on this stack frame.
template <typename Decode>
auto callSync(Channel &channel, Writer &request, std::chrono::nanoseconds timeout, Decode decode)
    -> decltype(decode(std::declval<const std::uint8_t *>(), std::size_t{})) {
  MessageBuffer reply;
  channel.callBlocking(request, timeout, reply);
  return decode(reply.data(), reply.size());
}

// The same without waiting: the future holds the result or the exception `decode` (or the channel) threw.
template <typename T, typename Decode>
std::future<T> callAsync(Channel &channel, Writer &request, Decode decode) {
  auto promise = std::make_shared<std::promise<T>>();
  std::future<T> future = promise->get_future();
  channel.call(request, [promise, decode](Reply &&reply) {
    try {
      if (reply.error) std::rethrow_exception(reply.error);
      if constexpr (std::is_void_v<T>) {
        decode(reply.message.data(), reply.message.size());
        promise->set_value();
      } else {
        promise->set_value(decode(reply.message.data(), reply.message.size()));
      }
    } catch (...) {
      promise->set_exception(std::current_exception());
    }
  });
  return future;
}

// Sends `request` without waiting for its reply, which is dropped when it comes (result, exception or trap
// alike): for notifications the host does not need answered. Throws ChannelClosed if the channel is closed, and
// what the transport throws (a request too large); a full ring makes it wait, as every send does.
inline void callOneWay(Channel &channel, Writer &request) { channel.send(request); }

}  // namespace spine::host
