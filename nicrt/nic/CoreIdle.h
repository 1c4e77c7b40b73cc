// How a NIC core waits between rounds that found nothing to do, the same for spine-nic and an in-process NIC: it
// polls on for about a millisecond (a host's next request usually follows within microseconds), looking at the
// request ring's next slot a few times between rounds with a pause between looks, then yields (the host's
// threads may need this core to send it), then sleeps on the host channel's doorbell, which a request rings at
// once; the ports, timers and whatever else the core looks at come round again after 200 us at most. While
// replies wait for the host to read, it only yields: the host alone can make progress then.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <thread>

#include "nic/HostChannel.h"
#include "nic/Nic.h"

namespace spine::nicrt {

class CoreIdle {
 public:
  // Spinning lasts about a millisecond (a round of polls with pauses takes some 200 ns), yielding as long again.
  static constexpr uint32_t kSpinRounds = 5000, kYieldRounds = 20000, kPollsPerSpinRound = 8;
  static constexpr std::chrono::microseconds kLongestSleep{200};

  // After a round that did something.
  void busy() { rounds_ = 0; }
  // After a round that found nothing; `awake` as in HostChannel::sleep (other work that must not wait).
  void idle(const Nic &nic, HostChannel &channel, const std::function<bool()> &awake = nullptr) {
    if (nic.waitingForHost()) {
      std::this_thread::yield();
      return;
    }
    if (rounds_ < UINT32_MAX) ++rounds_;
    if (rounds_ <= kSpinRounds) {
      // The cheapest poll of the host's ring for a while before the next round: a request is seen as soon as
      // its line arrives rather than a whole round (ports, timers) later. A packet waits a few hundred ns more.
      for (uint32_t i = 0; i < kPollsPerSpinRound && !channel.requestWaiting(); ++i) spine_ring_relax();
      return;
    }
    if (rounds_ <= kSpinRounds + kYieldRounds) {
      std::this_thread::yield();
      return;
    }
    channel.sleep(kLongestSleep, awake);
  }
  // Whether it has come to sleeping: slower things may then be looked at every round.
  bool sleeping() const { return rounds_ > kSpinRounds + kYieldRounds; }

 private:
  uint32_t rounds_ = 0;
};

}  // namespace spine::nicrt
