// The pending calls of one Channel: a fixed table of entries, each on a cache line of its own. A call id is the
// entry's index (low kIndexBits) and the entry's generation (the rest), which goes up each time the entry is
// taken, so a reply is matched by index and checked by generation with one compare-and-swap; a reply for a call
// that is no longer pending -- answered, cancelled, timed out, replayed, never made -- finds another generation
// or state and is refused. Generations start at 1, so no call id is 0 (0 marks a one-way request).
//
// An entry's state, in the same atomic word as its generation:
//   Free -> Opening (open() won the compare-and-swap: the caller owns it and fills sink/done) -> Pending
//   (published) -> Delivering (whoever wins the CAS: a reply, close(), a timeout or a cancel) -> Done (a blocking
//   caller's reply or error is in place) -> Free.
// Only the thread that won Pending -> Delivering touches the entry's other fields until it publishes Done (or,
// for a callback, frees the entry), so they need no lock. Taking and freeing an entry take no lock either: a
// caller takes a Free entry with one compare-and-swap, starting where it took its last one (a thread making
// blocking calls one after another keeps using the same entry, whose line stays in its cache), and freeing is
// one release store. That is one locked instruction per call fewer before the request goes out, and one fewer
// after its reply, than a free stack under a lock.
#pragma once

#include "spine/host/Channel.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <vector>

namespace spine::host::detail {

class CallTable {
public:
  using CallId = std::uint64_t;
  using Clock = std::chrono::steady_clock;
  static constexpr unsigned kIndexBits = 10;
  static constexpr std::size_t kEntries = std::size_t{1} << kIndexBits;
  static_assert(kEntries == Channel::kMaxPendingCalls);

  CallTable();

  // Takes a free entry for a call whose reply goes into `sink` (a blocking caller) or to `done` (moved in): its
  // call id, or 0 when every entry is taken.
  CallId open(MessageBuffer *sink, ReplyCallback *done);
  // A reply for `id`: copied into its sink, or handed to its callback (which runs here, after the entry is
  // freed; what it throws reaches the caller, the call being complete by then). False when `id` is not a pending
  // call.
  bool deliver(CallId id, const std::uint8_t *message, std::size_t size);
  // Ends call `id` with `error` (as deliver() does with a reply). False when it is not pending.
  bool fail(CallId id, std::exception_ptr error);
  // Fails every pending call with `error`, even when a callback throws; returns the first exception a callback
  // threw, if any.
  std::exception_ptr failAll(const std::exception_ptr &error);
  // Forgets call `id` (its callback is not called). False when it is not pending any more.
  bool cancel(CallId id) { return claim(id, /*free=*/true); }

  // A blocking caller's side: whether its call is Done; sleeping until it is (or `deadline`); giving up
  // (withdraw: false when a reply is being delivered right now, so it will be Done shortly); and, once Done,
  // taking its error (null for a reply in the sink) and freeing the entry.
  bool ready(CallId id) const {
    return entries_[index(id)].word.load(std::memory_order_acquire) == word(generation(id), kDone);
  }
  bool sleepUntilReady(CallId id, Clock::time_point deadline);
  // While it lives, this thread is a blocking caller taking replies for its call `id` itself (Channel::await's
  // progress()): a reply this thread delivers to that call is published without the sleep handshake, since its
  // caller is running here, not asleep (one locked instruction fewer per call).
  class DeliveringOwnReply {
  public:
    DeliveringOwnReply(const CallTable &table, CallId id) : saved_(tOwn) { tOwn = {&table, id}; }
    ~DeliveringOwnReply() { tOwn = saved_; }
    DeliveringOwnReply(const DeliveringOwnReply &) = delete;
    DeliveringOwnReply &operator=(const DeliveringOwnReply &) = delete;

  private:
    struct Own {
      const CallTable *table;
      CallId id;
    };
    friend class CallTable;
    static thread_local Own tOwn;
    Own saved_;
  };
  bool withdraw(CallId id) { return claim(id, /*free=*/true); }
  std::exception_ptr finish(CallId id);

  std::size_t pending() const;

private:
  enum State : std::uint64_t { kFree = 0, kPending = 1, kDelivering = 2, kDone = 3, kOpening = 4 };
  static constexpr unsigned kStateBits = 3;
  struct alignas(64) Entry {
    std::atomic<std::uint64_t> word{0};  // generation << kStateBits | state
    std::atomic<bool> sleeping{false};   // its blocking caller sleeps on `wake_`
    MessageBuffer *sink = nullptr;
    ReplyCallback done;
    std::exception_ptr error;
  };
  static std::size_t index(CallId id) { return static_cast<std::size_t>(id & (kEntries - 1)); }
  static std::uint64_t generation(CallId id) { return id >> kIndexBits; }
  static std::uint64_t word(std::uint64_t generation, State s) { return generation << kStateBits | s; }
  static State state(std::uint64_t word) { return static_cast<State>(word & ((1u << kStateBits) - 1)); }
  static std::uint64_t generationOf(std::uint64_t word) { return word >> kStateBits; }
  // Pending -> Delivering for `id`; with `free`, the entry is then freed (its callback dropped).
  bool claim(CallId id, bool free);
  // Ends a claimed entry with a reply or an error: a blocking caller's goes Done (and is woken), a callback's
  // entry is freed and the callback called.
  void complete(Entry &e, std::uint64_t generation, const std::uint8_t *message, std::size_t size,
                std::exception_ptr error);
  void publishDone(Entry &e, std::uint64_t generation);
  void release(std::size_t i);

  std::vector<Entry> entries_;
  std::mutex sleepMutex_;
  std::condition_variable wake_;
};

}  // namespace spine::host::detail
