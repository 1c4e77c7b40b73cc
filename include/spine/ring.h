/* The single-producer single-consumer ring of the shared-memory host channel: one layout for both sides, in the
   way DPDK's rte_ring and io_uring share one header between producer and consumer. docs/abi.md ("The ring")
   explains the choices; keep the two in step.

   Layout (the shared part: a mapping that may sit at a different address in each process, so it holds offsets
   and counters, never pointers):
     bytes   0.. 63  line 0: magic, version, slot count (a power of two) and mask, written once by spine_ring_init;
                     and the doorbell word, written by the consumer only when it goes to sleep or wakes
     bytes  64..127  line 1: the producer index (slots produced so far); only the producer writes it
     bytes 128..191  line 2: the consumer index (slots consumed so far); only the consumer writes it
     bytes 192..     slot_count slots of SPINE_RING_SLOT_SIZE (64) bytes
   Each index has a cache line of its own, so the two sides never write the same line (no false sharing).
   The indices count slots from 0 and never wrap (2^64 slots is centuries at any rate); a slot's position is
   index & mask. Used slots are prod - cons; the producer keeps one slot free (see "Records"), so at most
   slot_count - 1 are used.

   Records. A message is one record: an 8-byte record header (u32 payload length, u32 tag) and the payload,
   taking the fewest whole slots that hold both. A record never wraps around the end of the slots: when it does
   not fit before the end, the producer fills the rest with a PAD record and puts it at slot 0, so a consumer
   always sees a record's bytes contiguous and can decode them in place. Variable-length records (rather than
   fixed slots) because messages run from 24 bytes to 16 MiB: a small one takes one slot, a big one is not cut
   into pieces. 64-byte slots because that is a cache line: every record starts on a line of its own and its
   header is aligned for the atomic loads below, at a cost of under one slot per record. The largest payload is
   spine_ring_max_payload(slot_count): half the ring, less the record header, which always fits once the ring
   has drained (before the end or, after a PAD, at slot 0, with the free slot after it), so a producer that
   waits is never stuck.

   The tag publishes the record (version 2; version 1 published through the producer index). A record that
   starts at slot index i has the tag spine_ring_tag(i, kind): i's low 30 bits and the kind (DATA or PAD) in the
   low two; SPINE_RING_TAG_NONE (0) means no record yet. The consumer learns of a record from the record's own
   cache line, the line it then reads anyway: a round trip moves one line each way, as a raw cache-line bounce
   does, instead of the producer index's line and then the record's. For that, the consumer must never find a
   stale tag, or stale payload bytes that look like one, where it looks next; so before the producer publishes a
   record it makes sure the slot after it holds TAG_NONE (that slot must be free: the producer keeps one slot
   free). It clears a few slots ahead after each commit (SPINE_RING_CLEAR_AHEAD), so a commit rarely has to
   clear a line before its tag can go out. The consumer looks only at the slot at its index: after a record,
   the slot the producer cleared before publishing it; after a PAD, slot 0, whose record the producer wrote
   before the PAD's tag; at the start, slot 0, which spine_ring_init cleared. A tag other than NONE and this
   index's is a broken producer (SPINE_RING_CORRUPT). The producer index is still published after each
   commit: the doorbell's handshake (below) and a producer that restarts read it.

   Each side works through a handle in its own memory (struct spine_ring_producer, struct spine_ring_consumer),
   which holds this process's address of the ring and its own index; the producer also keeps a cached copy of
   the consumer index, reloaded only when the cache says full. A side never reads its own index back from the
   shared part, and checks everything it reads from the other side: a broken or hostile peer can make a ring
   look full, empty or corrupt (SPINE_RING_CORRUPT), never make this side touch memory outside the slots.

   Ordering, with the __atomic builtins (the same in C and C++; lock-free for 64-bit on every target SPINE
   supports, asserted below). The producer writes a record, then publishes it with a RELEASE store of its tag
   (of the PAD's, when a PAD comes first); the consumer ACQUIRE-loads the tag, so every byte written before the
   store (the record, and the cleared slot after it) is visible to it. The consumer reads a record, then gives
   its slots back with a RELEASE store of the consumer index; the producer ACQUIRE-loads the consumer index
   before overwriting (or clearing) those slots, so the consumer's reads happened before the producer's writes.
   Each access below says which ordering it uses and why.

   The doorbell. A consumer that has found the ring empty for a while may sleep instead of polling: it sets the
   doorbell word (spine_ring_prepare_sleep), looks at prod once more, and sleeps on the word (a futex,
   spine/doorbell.h) only if prod says the ring is still empty; a producer's commit publishes the tag, then
   prod, and then looks at the word, and when it is set clears it and wakes the consumer (clearing first, so
   that a consumer between its last look and its sleep finds the word 0 and does not sleep: no wake-up is
   lost). Both sides use SEQ_CST for the prod and doorbell accesses, so at least one of them sees the other's
   store: a record is never left unseen by a sleeping consumer. While the ring is busy the word stays 0 and in
   the producer's cache: the doorbell costs one load per commit. A consumer must still sleep with a timeout: a
   producer that never rings (an old or hostile one) makes it slower, never stuck.

   Plain C99 that also compiles as C++. */
#ifndef SPINE_RING_H
#define SPINE_RING_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SPINE_RING_MAGIC 0x474E4952u /* "RING" as little-endian bytes */
#define SPINE_RING_VERSION 2u
#define SPINE_RING_CACHE_LINE 64u
#define SPINE_RING_SLOT_SIZE 64u      /* one cache line (above) */
#define SPINE_RING_HEADER_SIZE 192u   /* three cache lines; the slots start here */
#define SPINE_RING_RECORD_HEADER 8u   /* u32 length, u32 tag */
#define SPINE_RING_MIN_SLOTS 2u
#define SPINE_RING_MAX_SLOTS (1u << 24) /* 1 GiB of slots */
#define SPINE_RING_CLEAR_AHEAD 4u       /* free slots a commit clears past its record (see "The tag ...") */

/* The kind of a record, in the low two bits of its tag (see "The tag publishes the record"). */
#define SPINE_RING_RECORD_DATA 1u /* a message: `length` payload bytes follow the header */
#define SPINE_RING_RECORD_PAD 2u  /* filler up to the end of the slots; the next record is at slot 0 */
#define SPINE_RING_TAG_NONE 0u    /* the tag of a slot where no record is published yet */

enum spine_ring_status {
  SPINE_RING_OK = 0,
  SPINE_RING_FULL = 1,       /* no room now: back-pressure, try again once the consumer has caught up */
  SPINE_RING_EMPTY = 2,      /* nothing to read now */
  SPINE_RING_TOO_BIG = 3,    /* enqueue: the payload exceeds spine_ring_max_payload and never fits;
                                dequeue: the record does not fit the caller's buffer (it stays in the ring) */
  SPINE_RING_CORRUPT = 4,    /* the other side broke the rules (index out of range, bad record): close the ring */
  SPINE_RING_BAD_LAYOUT = 5  /* init/attach: bad magic, version, slot count, size or alignment */
};

/* The shared part. Only spine_ring_init writes line 0; each index is written by its side only. */
struct spine_ring {
  uint32_t magic;
  uint32_t version;
  uint32_t slot_count; /* a power of two, SPINE_RING_MIN_SLOTS..SPINE_RING_MAX_SLOTS */
  uint32_t slot_mask;  /* slot_count - 1 */
  uint32_t doorbell;   /* 1 while the consumer sleeps waiting for a record (see "The doorbell"); else 0 */
  uint8_t reserved0[SPINE_RING_CACHE_LINE - 20];
  uint64_t prod; /* slots produced; written by the producer only */
  uint8_t reserved1[SPINE_RING_CACHE_LINE - 8];
  uint64_t cons; /* slots consumed; written by the consumer only */
  uint8_t reserved2[SPINE_RING_CACHE_LINE - 8];
};

#if defined(__cplusplus)
#define SPINE_RING_STATIC_ASSERT(name, cond) static_assert(cond, #name)
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define SPINE_RING_STATIC_ASSERT(name, cond) _Static_assert(cond, #name)
#else /* C99: an array of negative size */
#define SPINE_RING_STATIC_ASSERT(name, cond) typedef char spine_ring_assert_##name[(cond) ? 1 : -1]
#endif
SPINE_RING_STATIC_ASSERT(prod_has_line_1, offsetof(struct spine_ring, prod) == 1 * SPINE_RING_CACHE_LINE);
SPINE_RING_STATIC_ASSERT(cons_has_line_2, offsetof(struct spine_ring, cons) == 2 * SPINE_RING_CACHE_LINE);
SPINE_RING_STATIC_ASSERT(header_is_three_lines, sizeof(struct spine_ring) == SPINE_RING_HEADER_SIZE);
/* The indices are shared between processes: their atomics must be lock-free (no lock that lives in one process). */
#if !defined(__GCC_ATOMIC_LLONG_LOCK_FREE) || __GCC_ATOMIC_LLONG_LOCK_FREE != 2
#error "spine/ring.h needs lock-free 64-bit atomics"
#endif

/* The producer's handle, in the producer's own memory. */
struct spine_ring_producer {
  struct spine_ring *ring; /* this process's address of the shared part */
  uint8_t *slots;
  uint32_t slot_count, slot_mask; /* copied at attach: the shared copy is not read again */
  uint64_t prod;                  /* our index; the shared one is only ever published */
  uint64_t cons_cache;            /* the consumer index when last loaded */
  uint64_t reserved;              /* slots of the record reserved and not yet committed (a PAD included) */
  uint32_t *record_tag;           /* the tag word of the record reserved last */
  uint32_t *pad_tag;              /* the tag word of the PAD before it, or NULL */
  uint64_t cleared_to;            /* the slots from prod up to this index hold SPINE_RING_TAG_NONE */
};

/* The consumer's handle, in the consumer's own memory. */
struct spine_ring_consumer {
  struct spine_ring *ring;
  uint8_t *slots;
  uint32_t slot_count, slot_mask;
  uint64_t cons;    /* our index */
  uint64_t pending; /* slots of the record peeked and not yet released */
};

/* Bytes of a ring with `slot_count` slots: what the shared mapping must hold. */
static inline uint64_t spine_ring_bytes(uint32_t slot_count) {
  return SPINE_RING_HEADER_SIZE + (uint64_t)slot_count * SPINE_RING_SLOT_SIZE;
}

/* The largest payload of one record: half the slots, less the record header (see "Records" above). */
static inline uint32_t spine_ring_max_payload(uint32_t slot_count) {
  return slot_count / 2 * SPINE_RING_SLOT_SIZE - SPINE_RING_RECORD_HEADER;
}

/* Slots a record with a payload of `length` bytes takes. */
static inline uint64_t spine_ring_record_slots(uint32_t length) {
  return ((uint64_t)length + SPINE_RING_RECORD_HEADER + SPINE_RING_SLOT_SIZE - 1) / SPINE_RING_SLOT_SIZE;
}

/* The tag of a record of `kind` that starts at slot index `index` (see "Records"): the index's low 30 bits and
   the kind, never SPINE_RING_TAG_NONE. */
static inline uint32_t spine_ring_tag(uint64_t index, uint32_t kind) { return (uint32_t)(index << 2) | kind; }

static inline int spine_ring_layout_ok(const void *mem, uint64_t bytes, uint32_t slot_count) {
  return ((uintptr_t)mem % SPINE_RING_CACHE_LINE) == 0 && slot_count >= SPINE_RING_MIN_SLOTS &&
         slot_count <= SPINE_RING_MAX_SLOTS && (slot_count & (slot_count - 1)) == 0 &&
         bytes >= spine_ring_bytes(slot_count);
}

/* Makes an empty ring of `slot_count` slots in `mem` (`bytes` long, aligned to a cache line), before either side
   attaches. */
static inline int spine_ring_init(void *mem, uint64_t bytes, uint32_t slot_count) {
  struct spine_ring *r = (struct spine_ring *)mem;
  if (!spine_ring_layout_ok(mem, bytes, slot_count)) return SPINE_RING_BAD_LAYOUT;
  memset(r, 0, sizeof *r);
  /* Slot 0, where the consumer looks first, holds no record yet (the producer clears every later slot before
     the consumer can look at it: see "Records"). */
  memset((uint8_t *)mem + SPINE_RING_HEADER_SIZE, 0, SPINE_RING_RECORD_HEADER);
  r->version = SPINE_RING_VERSION;
  r->slot_count = slot_count;
  r->slot_mask = slot_count - 1;
  /* RELEASE: the magic goes last, so a side that acquire-loads it (attach) sees the rest of line 0, both
     indices at 0 and slot 0's empty tag. */
  __atomic_store_n(&r->magic, SPINE_RING_MAGIC, __ATOMIC_RELEASE);
  return SPINE_RING_OK;
}

/* Checks the ring at `mem` (`bytes` of this process's mapping) and reads its geometry once. */
static inline int spine_ring_attach_common(void *mem, uint64_t bytes, struct spine_ring **ring, uint32_t *count) {
  struct spine_ring *r = (struct spine_ring *)mem;
  if ((uintptr_t)mem % SPINE_RING_CACHE_LINE != 0 || bytes < SPINE_RING_HEADER_SIZE) return SPINE_RING_BAD_LAYOUT;
  /* ACQUIRE: pairs with the release store of the magic in spine_ring_init: line 0 is complete. */
  if (__atomic_load_n(&r->magic, __ATOMIC_ACQUIRE) != SPINE_RING_MAGIC) return SPINE_RING_BAD_LAYOUT;
  if (r->version != SPINE_RING_VERSION || r->slot_mask != r->slot_count - 1 ||
      !spine_ring_layout_ok(mem, bytes, r->slot_count))
    return SPINE_RING_BAD_LAYOUT;
  *ring = r;
  *count = r->slot_count;
  return SPINE_RING_OK;
}

/* The producer side of the ring at `mem`. It continues from the shared producer index (a producer that
   restarts resumes where the last one stopped). */
static inline int spine_ring_attach_producer(struct spine_ring_producer *p, void *mem, uint64_t bytes) {
  int status = spine_ring_attach_common(mem, bytes, &p->ring, &p->slot_count);
  if (status != SPINE_RING_OK) return status;
  p->slots = (uint8_t *)mem + SPINE_RING_HEADER_SIZE;
  p->slot_mask = p->slot_count - 1;
  /* ACQUIRE: only this side writes prod; acquire also orders after the slots an earlier producer published. */
  p->prod = __atomic_load_n(&p->ring->prod, __ATOMIC_ACQUIRE);
  /* ACQUIRE: pairs with the consumer's release store; the slots below it have been read. */
  p->cons_cache = __atomic_load_n(&p->ring->cons, __ATOMIC_ACQUIRE);
  p->reserved = 0;
  p->record_tag = p->pad_tag = NULL;
  p->cleared_to = p->prod + 1; /* the slot at prod holds no record (cleared by the commit before, or init) */
  return SPINE_RING_OK;
}

/* The consumer side of the ring at `mem`, continuing from the shared consumer index. */
static inline int spine_ring_attach_consumer(struct spine_ring_consumer *c, void *mem, uint64_t bytes) {
  int status = spine_ring_attach_common(mem, bytes, &c->ring, &c->slot_count);
  if (status != SPINE_RING_OK) return status;
  c->slots = (uint8_t *)mem + SPINE_RING_HEADER_SIZE;
  c->slot_mask = c->slot_count - 1;
  /* ACQUIRE: only this side writes cons; relaxed would do, acquire costs nothing on attach. */
  c->cons = __atomic_load_n(&c->ring->cons, __ATOMIC_ACQUIRE);
  c->pending = 0;
  return SPINE_RING_OK;
}

/* Reserves a record of `length` payload bytes and points *payload at them, for the caller to fill and then
   publish with spine_ring_commit. SPINE_RING_FULL when the consumer has not yet freed enough slots (nothing is
   written; try again later), SPINE_RING_TOO_BIG when `length` exceeds spine_ring_max_payload,
   SPINE_RING_CORRUPT when the consumer's index is ahead of ours or more than a ring behind (close the ring).
   A second reserve before the commit replaces the first. */
static inline int spine_ring_reserve(struct spine_ring_producer *p, uint32_t length, void **payload) {
  uint64_t need, off, to_end, total;
  uint8_t *record;
  if (length > spine_ring_max_payload(p->slot_count)) return SPINE_RING_TOO_BIG;
  need = spine_ring_record_slots(length);
  off = p->prod & p->slot_mask;
  to_end = p->slot_count - off;
  total = need <= to_end ? need : to_end + need; /* a PAD to the end, then the record at slot 0 */
  /* One slot more than the record: the commit clears the tag of the slot after it (see "Records"). */
  if (p->prod + total + 1 - p->cons_cache > p->slot_count) {
    /* ACQUIRE: pairs with the consumer's release store of cons: its reads of every slot below the value loaded
       happened before, so we may overwrite them. */
    p->cons_cache = __atomic_load_n(&p->ring->cons, __ATOMIC_ACQUIRE);
    /* A consumer index ahead of ours, or more than a ring behind it, is a broken consumer: it would make the
       ring look full for ever (unsigned arithmetic), so say so instead. */
    if (p->cons_cache > p->prod || p->prod - p->cons_cache > p->slot_count) return SPINE_RING_CORRUPT;
    if (p->prod + total + 1 - p->cons_cache > p->slot_count) return SPINE_RING_FULL;
  }
  p->pad_tag = NULL;
  if (total != need) {
    record = p->slots + off * SPINE_RING_SLOT_SIZE;
    /* RELAXED: the consumer does not read a record's length before it has acquire-loaded its tag, which the
       commit stores after this. */
    __atomic_store_n((uint32_t *)record, (uint32_t)(to_end * SPINE_RING_SLOT_SIZE - SPINE_RING_RECORD_HEADER),
                     __ATOMIC_RELAXED);
    p->pad_tag = (uint32_t *)record + 1;
    off = 0;
  }
  record = p->slots + off * SPINE_RING_SLOT_SIZE;
  __atomic_store_n((uint32_t *)record, length, __ATOMIC_RELAXED); /* RELAXED: as the PAD's length above */
  p->record_tag = (uint32_t *)record + 1;
  *payload = record + SPINE_RING_RECORD_HEADER;
  p->reserved = total;
  return SPINE_RING_OK;
}

/* Publishes the record reserved last: from now on the consumer may read it. Returns 1 when the consumer sleeps
   waiting for records and should be woken (spine_doorbell_ring on spine_ring_doorbell), else 0. */
static inline void spine_ring_clear_slot(struct spine_ring_producer *p, uint64_t index) {
  /* RELAXED: the slot is free (the consumer is done with it) and the consumer does not look at it before the
     release store of a tag that follows this store. */
  __atomic_store_n((uint32_t *)(p->slots + (index & p->slot_mask) * SPINE_RING_SLOT_SIZE) + 1, SPINE_RING_TAG_NONE,
                   __ATOMIC_RELAXED);
}

static inline int spine_ring_commit(struct spine_ring_producer *p) {
  int ring;
  uint64_t start = p->prod, next = p->prod + p->reserved;
  /* The slot after the record must hold no record before the consumer can get there. It usually does already
     (cleared ahead, below); when it does not, it is cleared now, before the tag: the reserve kept it free. */
  if (next >= p->cleared_to) {
    spine_ring_clear_slot(p, next);
    p->cleared_to = next + 1;
  }
  if (p->pad_tag) {
    /* RELAXED: the consumer reaches the record at slot 0 only through the PAD, whose release store follows. */
    __atomic_store_n(p->record_tag,
                     spine_ring_tag(start + (p->slot_count - (start & p->slot_mask)), SPINE_RING_RECORD_DATA),
                     __ATOMIC_RELAXED);
    /* RELEASE: everything written before (the record, its payload, the cleared slot after it) is visible to a
       consumer whose acquire load of this tag returns it. */
    __atomic_store_n(p->pad_tag, spine_ring_tag(start, SPINE_RING_RECORD_PAD), __ATOMIC_RELEASE);
  } else {
    /* RELEASE: as the PAD's above. */
    __atomic_store_n(p->record_tag, spine_ring_tag(start, SPINE_RING_RECORD_DATA), __ATOMIC_RELEASE);
  }
  p->prod = next;
  p->reserved = 0;
  /* SEQ_CST: prod tells the consumer's spine_ring_prepare_sleep that records arrived, and this store and the
     doorbell load below are ordered against the consumer's doorbell store and prod load there (see "The
     doorbell"). Published after the tags, so a consumer that sees it finds the records. */
  __atomic_store_n(&p->ring->prod, p->prod, __ATOMIC_SEQ_CST);
  ring = __atomic_load_n(&p->ring->doorbell, __ATOMIC_SEQ_CST) != 0;
  /* Clears the next few free slots now, after the record is out, so that the next commits find the slot after
     their record cleared and do not wait for that line before publishing (free: below cons + slot_count, with
     the consumer index as last loaded, which is never ahead of the true one). */
  while (p->cleared_to < next + SPINE_RING_CLEAR_AHEAD && p->cleared_to < p->cons_cache + p->slot_count) {
    spine_ring_clear_slot(p, p->cleared_to);
    ++p->cleared_to;
  }
  return ring;
}

/* Copies `length` bytes from `data` into a new record and publishes it; SPINE_RING_FULL (nothing written, the
   caller keeps the message and retries: back-pressure, never loss) or SPINE_RING_TOO_BIG otherwise. */
static inline int spine_ring_try_enqueue(struct spine_ring_producer *p, const void *data, uint32_t length) {
  void *payload;
  int status = spine_ring_reserve(p, length, &payload);
  if (status != SPINE_RING_OK) return status;
  if (length != 0) memcpy(payload, data, length);
  spine_ring_commit(p);
  return SPINE_RING_OK;
}

/* Points *payload and *length at the oldest record, which stays in the ring (its slots are not reused) until
   spine_ring_release. SPINE_RING_EMPTY when there is none, SPINE_RING_CORRUPT when the producer broke the
   rules. The payload lives in shared memory: a consumer that does not trust the producer copies it out
   (spine_ring_try_dequeue) before decoding it, so the producer cannot change it in between. */
static inline int spine_ring_peek(struct spine_ring_consumer *c, const void **payload, uint32_t *length) {
  for (;;) {
    uint64_t off = c->cons & c->slot_mask, need;
    const uint8_t *record = c->slots + off * SPINE_RING_SLOT_SIZE;
    /* ACQUIRE: pairs with the producer's release store of this tag (or of the PAD's before it) in
       spine_ring_commit: the record's header and payload, written before, are visible here. */
    uint32_t tag = __atomic_load_n((const uint32_t *)record + 1, __ATOMIC_ACQUIRE), len;
    if (tag == SPINE_RING_TAG_NONE) return SPINE_RING_EMPTY;
    /* Any other tag than this index's is a producer that broke the rules: an honest one clears the slot after
       each record before publishing it, so a stale tag or payload is never here to be read. */
    if ((tag & ~3u) != (uint32_t)(c->cons << 2)) return SPINE_RING_CORRUPT;
    if ((tag & 3u) == SPINE_RING_RECORD_PAD) {
      c->cons += c->slot_count - off;
      /* RELEASE: we are done reading the PAD (its tag above); the producer, acquiring cons, may reuse it. */
      __atomic_store_n(&c->ring->cons, c->cons, __ATOMIC_RELEASE);
      continue;
    }
    if ((tag & 3u) != SPINE_RING_RECORD_DATA) return SPINE_RING_CORRUPT;
    /* RELAXED: ordered after the producer's store by the acquire load of the tag; one load, so the length
       checked is the length used. */
    len = __atomic_load_n((const uint32_t *)record, __ATOMIC_RELAXED);
    /* Longer than any producer may write, or running past the end of the slots. */
    if (len > spine_ring_max_payload(c->slot_count)) return SPINE_RING_CORRUPT;
    need = spine_ring_record_slots(len);
    if (need > c->slot_count - off) return SPINE_RING_CORRUPT;
    *payload = record + SPINE_RING_RECORD_HEADER;
    *length = len;
    c->pending = need;
    return SPINE_RING_OK;
  }
}

/* Whether the slot at the consumer's index holds a tag: a record (or a PAD) looks published. The cheapest poll
   of an empty ring, one load of the line the record will come in; it checks nothing, spine_ring_peek does. */
static inline int spine_ring_ready(const struct spine_ring_consumer *c) {
  /* RELAXED: only a hint; spine_ring_peek acquire-loads the tag again before anything is read. */
  return __atomic_load_n((const uint32_t *)(c->slots + (c->cons & c->slot_mask) * SPINE_RING_SLOT_SIZE) + 1,
                         __ATOMIC_RELAXED) != SPINE_RING_TAG_NONE;
}

/* For a side polling the ring (spine_ring_ready in a loop): a pause between looks. Polled flat out, the line the
   other side is writing a record into is pulled away from it before it has finished, and each store after that
   waits for the line again; x86's PAUSE spaces the loads out (the bare rings' round trip went from 150 to 120
   ns with the vCPUs close, 1.36 to 1.09 times a raw cache-line bounce). */
static inline void spine_ring_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

/* Pacing a poller's first look. A look at a slot before the other side writes it keeps the line in the looker's
   cache, the writer must take it back, and the next look fetches it again: two line transfers where a look after
   the write takes one (150-200 ns each with the cores far apart). So a side that waits for the other's next record
   pauses, without touching the ring, for 5/8 of the looks recent waits took before its first look. The estimate is
   the fewest looks of recent waits: up by one a wait (a slow one does not make the next ones pause), down at once,
   and never above `cap`. Used by the host's waiting caller (reply ring) and the NIC core (request ring). */
struct spine_ring_pacer {
  uint32_t estimate; /* looks a wait is expected to take */
  uint32_t looks;    /* looks of the wait under way (the pause counted as looks); 0 before its first */
};

/* A wait begins: its first look will be paced. */
static inline void spine_ring_pacer_begin(struct spine_ring_pacer *p) { p->looks = 0; }

/* How many looks' worth the first look of a wait is put off. */
static inline uint32_t spine_ring_pacer_pause(const struct spine_ring_pacer *p) { return p->estimate * 5 / 8; }

/* Before each look of a wait: the first one waits out the pause. */
static inline void spine_ring_pacer_look(struct spine_ring_pacer *p) {
  if (p->looks == 0) {
    uint32_t i;
    for (i = 0; i < spine_ring_pacer_pause(p); ++i) spine_ring_relax();
    p->looks = spine_ring_pacer_pause(p);
  }
  if (p->looks < UINT32_MAX) ++p->looks;
}

/* The wait is over (its record came): what it took sets the estimate, at most `cap`. */
static inline void spine_ring_pacer_end(struct spine_ring_pacer *p, uint32_t cap) {
  uint32_t up = p->estimate < cap ? p->estimate + 1 : cap;
  p->estimate = p->looks < up ? p->looks : up;
}

/* Gives the slots of the record peeked last back to the producer. */
static inline void spine_ring_release(struct spine_ring_consumer *c) {
  c->cons += c->pending;
  c->pending = 0;
  /* RELEASE: our reads of the record, made before this store, happen before the producer (which acquire-loads
     cons before reserving) overwrites its slots. */
  __atomic_store_n(&c->ring->cons, c->cons, __ATOMIC_RELEASE);
}

/* The doorbell word of a ring, for spine_doorbell_wait and spine_doorbell_ring. */
static inline uint32_t *spine_ring_doorbell(struct spine_ring *r) { return &r->doorbell; }

/* Before sleeping: sets the doorbell and says whether the ring is still empty (1: sleep on the doorbell, with a
   timeout; 0: records arrived, the doorbell is cleared again). Call spine_ring_awake after the sleep. */
static inline int spine_ring_prepare_sleep(struct spine_ring_consumer *c) {
  /* SEQ_CST: see "The doorbell": pairs with the producer's prod store and doorbell load in spine_ring_commit. */
  __atomic_store_n(&c->ring->doorbell, 1u, __ATOMIC_SEQ_CST);
  if (__atomic_load_n(&c->ring->prod, __ATOMIC_SEQ_CST) == c->cons) return 1;
  __atomic_store_n(&c->ring->doorbell, 0u, __ATOMIC_RELAXED);
  return 0;
}

/* After sleeping (woken, timed out or interrupted): producers need not ring any more. */
static inline void spine_ring_awake(struct spine_ring_consumer *c) {
  /* RELAXED: a producer that still sees 1 only rings once more, which costs a wake-up of nobody. */
  __atomic_store_n(&c->ring->doorbell, 0u, __ATOMIC_RELAXED);
}

/* Copies the oldest record into `buffer` (`capacity` bytes), sets *length, and releases it. SPINE_RING_EMPTY,
   SPINE_RING_CORRUPT, or SPINE_RING_TOO_BIG with *length set when the record is longer than `capacity` (it
   stays in the ring: dequeue it with a bigger buffer). */
static inline int spine_ring_try_dequeue(struct spine_ring_consumer *c, void *buffer, uint32_t capacity,
                                         uint32_t *length) {
  const void *payload;
  int status = spine_ring_peek(c, &payload, length);
  if (status != SPINE_RING_OK) return status;
  if (*length > capacity) return SPINE_RING_TOO_BIG;
  if (*length != 0) memcpy(buffer, payload, *length);
  spine_ring_release(c);
  return SPINE_RING_OK;
}

#ifdef __cplusplus
}
#endif

#endif /* SPINE_RING_H */
