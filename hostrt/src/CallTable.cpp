// The pending calls of one Channel (CallTable.h).
#include "CallTable.h"

#include <thread>

namespace spine::host::detail {

namespace {
// Where this thread looks for a free entry first: where it took its last one (any table's; only a hint).
thread_local std::size_t tHint = 0;
}  // namespace

CallTable::CallTable() : entries_(kEntries) {}

CallTable::CallId CallTable::open(MessageBuffer *sink, ReplyCallback *done) {
  for (std::size_t n = 0; n < kEntries; ++n) {
    std::size_t i = (tHint + n) & (kEntries - 1);
    Entry &e = entries_[i];
    std::uint64_t w = e.word.load(std::memory_order_relaxed);
    if (state(w) != kFree) continue;
    std::uint64_t gen = generationOf(w) + 1;
    // Seq_cst: Channel::close() stores its closed flag and then looks at every entry (failAll), and the opener
    // takes its entry here and then looks at the flag: one of the two sees the other, so a call is never left
    // out of a close. Acquire (part of it): the entry's last user freed it with a release store.
    if (!e.word.compare_exchange_strong(w, word(gen, kOpening), std::memory_order_seq_cst,
                                        std::memory_order_relaxed))
      continue;  // another thread took it first
    tHint = i;
    e.sink = sink;
    if (done) e.done = std::move(*done);
    e.error = nullptr;
    // Release: whoever claims the call (acquire) sees sink and done.
    e.word.store(word(gen, kPending), std::memory_order_release);
    return gen << kIndexBits | i;
  }
  return 0;
}

bool CallTable::claim(CallId id, bool free) {
  Entry &e = entries_[index(id)];
  std::uint64_t expected = word(generation(id), kPending);
  // Acquire: the opener's writes to the entry (sink, done) happened before its Pending store.
  if (!e.word.compare_exchange_strong(expected, word(generation(id), kDelivering), std::memory_order_acq_rel,
                                      std::memory_order_relaxed))
    return false;
  if (free) {
    e.done = nullptr;
    release(index(id));
  }
  return true;
}

void CallTable::release(std::size_t i) {
  Entry &e = entries_[i];
  e.sink = nullptr;
  e.error = nullptr;
  // Release: our use of the entry happens before its next opener's (whose compare-and-swap acquires).
  e.word.store(word(generationOf(e.word.load(std::memory_order_relaxed)), kFree), std::memory_order_release);
}

thread_local CallTable::DeliveringOwnReply::Own CallTable::DeliveringOwnReply::tOwn{nullptr, 0};

void CallTable::publishDone(Entry &e, std::uint64_t generation) {
  const DeliveringOwnReply::Own &own = DeliveringOwnReply::tOwn;
  if (own.table == this && own.id == (generation << kIndexBits | static_cast<CallId>(&e - entries_.data()))) {
    // Release: the caller is this thread, running (see DeliveringOwnReply): nobody to wake.
    e.word.store(word(generation, kDone), std::memory_order_release);
    return;
  }
  // Seq_cst against the caller's `sleeping` store (sleepUntilReady): either it sees Done, or we see it asleep.
  e.word.store(word(generation, kDone), std::memory_order_seq_cst);
  if (e.sleeping.load(std::memory_order_seq_cst)) {
    std::lock_guard<std::mutex> lock(sleepMutex_);
    wake_.notify_all();
  }
}

// Ends a claimed call with the reply `message` or, when `error` is set, with that error: a blocking caller's
// reply goes straight into its sink and the entry Done (no allocation); a callback's entry is freed and the
// callback called with a copy.
void CallTable::complete(Entry &e, std::uint64_t generation, const std::uint8_t *message, std::size_t size,
                         std::exception_ptr error) {
  if (e.sink) {
    if (!error) {
      try {
        e.sink->assign(message, size);
      } catch (...) {  // the sink cannot grow: the call ends with that error, not stuck in Delivering
        error = std::current_exception();
      }
    }
    e.error = std::move(error);
    publishDone(e, generation);
    return;
  }
  Reply reply{{}, std::move(error)};
  if (!reply.error) {
    try {
      reply.message.assign(message, message + size);
    } catch (...) {  // likewise for the callback's copy
      reply.error = std::current_exception();
    }
  }
  ReplyCallback done = std::move(e.done);
  e.done = nullptr;
  release(static_cast<std::size_t>(&e - entries_.data()));
  if (done) done(std::move(reply));
}

bool CallTable::deliver(CallId id, const std::uint8_t *message, std::size_t size) {
  if (generation(id) == 0 || !claim(id, false)) return false;
  complete(entries_[index(id)], generation(id), message, size, nullptr);
  return true;
}

bool CallTable::fail(CallId id, std::exception_ptr error) {
  if (generation(id) == 0 || !claim(id, false)) return false;
  complete(entries_[index(id)], generation(id), nullptr, 0, std::move(error));
  return true;
}

std::exception_ptr CallTable::failAll(const std::exception_ptr &error) {
  std::exception_ptr thrown;
  for (std::size_t i = 0; i < kEntries; ++i) {
    // Seq_cst: pairs with open()'s compare-and-swap (see there).
    std::uint64_t w = entries_[i].word.load(std::memory_order_seq_cst);
    // Being opened: its opener is a few stores from publishing it Pending, and may not see the closed flag (its
    // Pending store is a plain release store, which may still be on its way while its look at the flag comes
    // before our store of it). Skipping the entry could leave that call out; waiting for Pending cannot.
    while (state(w) == kOpening) {
      std::this_thread::yield();
      w = entries_[i].word.load(std::memory_order_seq_cst);
    }
    if (state(w) != kPending) continue;
    try {
      fail(generationOf(w) << kIndexBits | i, error);
    } catch (...) {  // a callback threw: the other calls are failed all the same
      if (!thrown) thrown = std::current_exception();
    }
  }
  return thrown;
}

bool CallTable::sleepUntilReady(CallId id, Clock::time_point deadline) {
  Entry &e = entries_[index(id)];
  std::unique_lock<std::mutex> lock(sleepMutex_);
  e.sleeping.store(true, std::memory_order_seq_cst);
  bool done = wake_.wait_until(lock, deadline, [&] {
    return e.word.load(std::memory_order_seq_cst) == word(generation(id), kDone);
  });
  e.sleeping.store(false, std::memory_order_relaxed);
  return done;
}

std::size_t CallTable::pending() const {
  std::size_t taken = 0;
  for (const Entry &e : entries_) taken += state(e.word.load(std::memory_order_relaxed)) != kFree;
  return taken;
}

std::exception_ptr CallTable::finish(CallId id) {
  Entry &e = entries_[index(id)];
  std::exception_ptr error = std::move(e.error);
  release(index(id));
  return error;
}

}  // namespace spine::host::detail
