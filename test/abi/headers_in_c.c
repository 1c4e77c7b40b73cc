/* The shared headers as C sees them: compiled as C99 and as C11 with -pedantic -Wall -Wextra -Werror (ctest
   abi-headers-c99, abi-headers-c11) and run: a few records through a ring, a header through the wire helpers.
   Exit status 0 when all is well, else the number of the failed check. */
#include "spine/abi.h"
#include "spine/channel.h"
#include "spine/ring.h"
#include "spine/wire.h"

/* Room for a ring of 8 slots on a cache-line boundary (C99 has no alignas). */
static uint64_t storage[(SPINE_RING_HEADER_SIZE + 8 * SPINE_RING_SLOT_SIZE + SPINE_RING_CACHE_LINE) / 8];
/* Room for a channel of two 4-slot rings on a page boundary. */
static uint64_t region[(3 * SPINE_CHANNEL_PAGE + SPINE_CHANNEL_PAGE) / 8];

int main(void) {
  uint32_t slots = 8, i, length = 0;
  uint64_t bytes = spine_ring_bytes(slots), value;
  void *mem = (void *)(((uintptr_t)storage + SPINE_RING_CACHE_LINE - 1) & ~(uintptr_t)(SPINE_RING_CACHE_LINE - 1));
  struct spine_ring_producer p;
  struct spine_ring_consumer c;
  struct spine_wire_header h = {SPINE_WIRE_EVENT, SPINE_WIRE_VERSION, 3, 16, 0xF00Du, 0};
  uint8_t header[SPINE_WIRE_HEADER_SIZE];
  if (spine_ring_init(mem, bytes, slots) != SPINE_RING_OK) return 1;
  if (spine_ring_attach_producer(&p, mem, bytes) != SPINE_RING_OK) return 2;
  if (spine_ring_attach_consumer(&c, mem, bytes) != SPINE_RING_OK) return 3;
  for (i = 0; i < 20; ++i) {
    value = i;
    if (spine_ring_try_enqueue(&p, &value, sizeof value) != SPINE_RING_OK) return 4;
    if (spine_ring_try_dequeue(&c, &value, sizeof value, &length) != SPINE_RING_OK) return 5;
    if (length != sizeof value || value != i) return 6;
  }
  if (spine_ring_try_dequeue(&c, &value, sizeof value, &length) != SPINE_RING_EMPTY) return 7;
  spine_wire_header_store(header, &h);
  if (spine_wire_header_load(header).fingerprint != 0xF00Du || header[SPINE_WIRE_INDEX_OFFSET] != 3) return 8;
  if (spine_wire_ordinal_width(-1, 1) != 1 || spx_trap_name(SPX_TRAP_RANGE)[0] != 'r') return 9;
  {
    void *r = (void *)(((uintptr_t)region + SPINE_CHANNEL_PAGE - 1) & ~(uintptr_t)(SPINE_CHANNEL_PAGE - 1));
    struct spine_channel_header ch;
    uint8_t envelope[SPINE_CHANNEL_ENVELOPE];
    if (spine_channel_region_bytes(4, 4, 0) != 3 * SPINE_CHANNEL_PAGE) return 10;
    if (spine_channel_init(r, 3 * SPINE_CHANNEL_PAGE, 4, 4, 0) != SPINE_RING_OK) return 11;
    if (spine_channel_check(r, 3 * SPINE_CHANNEL_PAGE, &ch) != SPINE_RING_OK || ch.to_host_slots != 4) return 12;
    spine_channel_envelope_store(envelope, 0x01020304u);
    if (spine_channel_envelope_extension(envelope) != 0x01020304u || envelope[0] != 4) return 13;
    if (spine_channel_envelope_kind(envelope) != SPINE_CHANNEL_MESSAGE) return 14;
  }
  return 0;
}
