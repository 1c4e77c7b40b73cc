/* Sleeping on a ring's doorbell word and waking its sleeper (spine/ring.h, "The doorbell"): a futex, which works
   on a word shared between processes (the host channel's region is a MAP_SHARED memfd mapping), so the NIC and
   the host need no descriptor for it. Linux only, like the rest of the host channel.

   Plain C99 that also compiles as C++. */
#ifndef SPINE_DOORBELL_H
#define SPINE_DOORBELL_H

#include <errno.h>
#include <linux/futex.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Sleeps while *word is 1, for at most `timeout_ns` nanoseconds, or until woken (or a signal). Returns 0 when
   the time ran out, 1 otherwise (woken, the word was no longer 1, or interrupted). Not FUTEX_PRIVATE_FLAG: the
   sleeper and the waker may be different processes. */
static inline int spine_doorbell_wait(uint32_t *word, long timeout_ns) {
  struct timespec t;
  t.tv_sec = timeout_ns / 1000000000L;
  t.tv_nsec = timeout_ns % 1000000000L;
  return !(syscall(SYS_futex, word, FUTEX_WAIT, 1, &t, NULL, 0) != 0 && errno == ETIMEDOUT);
}

/* Wakes whoever sleeps on *word. The word is cleared first: a sleeper that has set it but not yet called
   spine_doorbell_wait then finds it 0 and does not sleep (the futex compares before sleeping), so no wake-up is
   lost between its last look at the ring and its sleep. */
static inline void spine_doorbell_ring(uint32_t *word) {
  __atomic_store_n(word, 0u, __ATOMIC_SEQ_CST);
  syscall(SYS_futex, word, FUTEX_WAKE, 0x7fffffff, NULL, NULL, 0);
}

#ifdef __cplusplus
}
#endif

#endif /* SPINE_DOORBELL_H */
