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

// Sends `request` and decodes its reply with `decode(const Bytes &)`, which returns the result (or throws the
// request's exception).
template <typename Decode>
auto callSync(Channel &channel, Bytes request, std::chrono::nanoseconds timeout, Decode decode)
    -> decltype(decode(std::declval<const Bytes &>())) {
  Bytes reply = channel.callBlocking(std::move(request), timeout);
  return decode(reply);
}

// The same without waiting: the future holds the result or the exception `decode` (or the channel) threw.
template <typename T, typename Decode>
std::future<T> callAsync(Channel &channel, Bytes request, Decode decode) {
  auto promise = std::make_shared<std::promise<T>>();
  std::future<T> future = promise->get_future();
  channel.call(std::move(request), [promise, decode](Reply &&reply) {
    try {
      if (reply.error) std::rethrow_exception(reply.error);
      if constexpr (std::is_void_v<T>) {
        decode(reply.message);
        promise->set_value();
      } else {
        promise->set_value(decode(reply.message));
      }
    } catch (...) {
      promise->set_exception(std::current_exception());
    }
  });
  return future;
}

// Sends `request` without waiting for its reply, which is discarded when it comes (result, exception or trap
// alike): for notifications the host does not need answered. Throws ChannelClosed if the channel is closed, and
// what the transport throws (a request too large); a full ring makes it wait, as every send does.
inline void callOneWay(Channel &channel, Bytes request) {
  if (channel.closed()) throw ChannelClosed("the channel is closed");
  channel.call(std::move(request), [](Reply &&) {});
}

}  // namespace spine::host
