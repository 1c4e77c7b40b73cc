/* The host channel's shared region: the emulated NIC's "PCI BAR". One region per NIC, mapped by the NIC (the
   spine-nic process, or the NIC thread of an in-process NIC) and by one host application at a time. It holds two
   single-producer single-consumer rings (include/spine/ring.h): requests from the host to the NIC, and replies
   and events from the NIC to the host. docs/abi.md ("The host channel") explains it; keep the two in step.

   Layout (offsets, never pointers: each side maps the region at its own address):
     bytes 0..63        struct spine_channel_header, written once by spine_channel_init
     to_nic_offset      the ring host -> NIC   (spine_ring_bytes(to_nic_slots) bytes)
     to_host_offset     the ring NIC -> host   (spine_ring_bytes(to_host_slots) bytes)
   Both rings start on a page boundary, so each side's indices and slots never share a page with the header.

   Records. Each ring record is an 8-byte envelope, then one message of docs/messages.md (header and payload):
     u32 extension   the id of the extension the message is for (host -> NIC) or from (NIC -> host)
     u32 reserved    0
   The wire header names the interface and the request or event (Active Messages: the receiver dispatches on
   it); the envelope names the extension, since several may export the same interface.

   Trust. The NIC treats everything the host can write as hostile: the header is checked once at attach
   (spine_channel_check), every record is copied out of shared memory before it is decoded, and a record that
   breaks the rules is refused and counted. Plain C99 that also compiles as C++. */
#ifndef SPINE_CHANNEL_H
#define SPINE_CHANNEL_H

#include <stdint.h>

#include "spine/ring.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SPINE_CHANNEL_MAGIC 0x48435053u /* "SPCH" as little-endian bytes */
#define SPINE_CHANNEL_VERSION 1u
#define SPINE_CHANNEL_PAGE 4096u
#define SPINE_CHANNEL_ENVELOPE 8u /* u32 extension, u32 reserved */

struct spine_channel_header {
  uint32_t magic;
  uint32_t version;
  uint64_t region_bytes;
  uint64_t to_nic_offset;
  uint32_t to_nic_slots;
  uint32_t to_host_slots;
  uint64_t to_host_offset;
  uint8_t reserved[64 - 40];
};
SPINE_RING_STATIC_ASSERT(channel_header_is_one_line, sizeof(struct spine_channel_header) == 64);

static inline uint64_t spine_channel_round_page(uint64_t n) {
  return (n + SPINE_CHANNEL_PAGE - 1) / SPINE_CHANNEL_PAGE * SPINE_CHANNEL_PAGE;
}

/* Bytes of a region whose rings have these slot counts (powers of two, SPINE_RING_MIN_SLOTS..MAX_SLOTS). */
static inline uint64_t spine_channel_region_bytes(uint32_t to_nic_slots, uint32_t to_host_slots) {
  return SPINE_CHANNEL_PAGE + spine_channel_round_page(spine_ring_bytes(to_nic_slots)) +
         spine_channel_round_page(spine_ring_bytes(to_host_slots));
}

/* Lays out an empty channel in `mem` (`bytes` long, page-aligned), before either side attaches. */
static inline int spine_channel_init(void *mem, uint64_t bytes, uint32_t to_nic_slots, uint32_t to_host_slots) {
  struct spine_channel_header *h = (struct spine_channel_header *)mem;
  uint64_t to_nic = SPINE_CHANNEL_PAGE;
  uint64_t to_host = to_nic + spine_channel_round_page(spine_ring_bytes(to_nic_slots));
  if ((uintptr_t)mem % SPINE_CHANNEL_PAGE != 0 || bytes < spine_channel_region_bytes(to_nic_slots, to_host_slots))
    return SPINE_RING_BAD_LAYOUT;
  if (spine_ring_init((uint8_t *)mem + to_nic, bytes - to_nic, to_nic_slots) != SPINE_RING_OK ||
      spine_ring_init((uint8_t *)mem + to_host, bytes - to_host, to_host_slots) != SPINE_RING_OK)
    return SPINE_RING_BAD_LAYOUT;
  memset(h, 0, sizeof *h);
  h->version = SPINE_CHANNEL_VERSION;
  h->region_bytes = bytes;
  h->to_nic_offset = to_nic;
  h->to_nic_slots = to_nic_slots;
  h->to_host_slots = to_host_slots;
  h->to_host_offset = to_host;
  /* RELEASE: the magic last, so a side that acquire-loads it sees the whole header and both rings. */
  __atomic_store_n(&h->magic, SPINE_CHANNEL_MAGIC, __ATOMIC_RELEASE);
  return SPINE_RING_OK;
}

/* Checks the header of the region at `mem` (`bytes` of this process's mapping) and copies it to *out: the
   magic and version, and both rings inside the region, page-aligned and apart. The rings themselves are
   checked when attached (spine_ring_attach_producer/consumer). */
static inline int spine_channel_check(const void *mem, uint64_t bytes, struct spine_channel_header *out) {
  const struct spine_channel_header *h = (const struct spine_channel_header *)mem;
  uint64_t nic_end, host_end;
  if (bytes < SPINE_CHANNEL_PAGE || (uintptr_t)mem % SPINE_CHANNEL_PAGE != 0) return SPINE_RING_BAD_LAYOUT;
  /* ACQUIRE: pairs with the release store in spine_channel_init. */
  if (__atomic_load_n(&h->magic, __ATOMIC_ACQUIRE) != SPINE_CHANNEL_MAGIC) return SPINE_RING_BAD_LAYOUT;
  memcpy(out, h, sizeof *out); /* one copy: the values checked are the values used */
  if (out->version != SPINE_CHANNEL_VERSION || out->region_bytes > bytes) return SPINE_RING_BAD_LAYOUT;
  if (out->to_nic_slots < SPINE_RING_MIN_SLOTS || out->to_nic_slots > SPINE_RING_MAX_SLOTS ||
      out->to_host_slots < SPINE_RING_MIN_SLOTS || out->to_host_slots > SPINE_RING_MAX_SLOTS)
    return SPINE_RING_BAD_LAYOUT;
  if (out->to_nic_offset % SPINE_CHANNEL_PAGE != 0 || out->to_host_offset % SPINE_CHANNEL_PAGE != 0 ||
      out->to_nic_offset < SPINE_CHANNEL_PAGE || out->to_host_offset < SPINE_CHANNEL_PAGE)
    return SPINE_RING_BAD_LAYOUT;
  nic_end = out->to_nic_offset + spine_ring_bytes(out->to_nic_slots);
  host_end = out->to_host_offset + spine_ring_bytes(out->to_host_slots);
  if (out->to_nic_offset > out->region_bytes || out->to_host_offset > out->region_bytes ||
      nic_end > out->region_bytes || host_end > out->region_bytes)
    return SPINE_RING_BAD_LAYOUT;
  if (!(nic_end <= out->to_host_offset || host_end <= out->to_nic_offset)) return SPINE_RING_BAD_LAYOUT;
  return SPINE_RING_OK;
}

/* The envelope before each message (little-endian, like the wire format). */
static inline void spine_channel_envelope_store(uint8_t *out, uint32_t extension) {
  out[0] = (uint8_t)extension;
  out[1] = (uint8_t)(extension >> 8);
  out[2] = (uint8_t)(extension >> 16);
  out[3] = (uint8_t)(extension >> 24);
  out[4] = out[5] = out[6] = out[7] = 0;
}

static inline uint32_t spine_channel_envelope_extension(const uint8_t *in) {
  return (uint32_t)in[0] | (uint32_t)in[1] << 8 | (uint32_t)in[2] << 16 | (uint32_t)in[3] << 24;
}

#ifdef __cplusplus
}
#endif

#endif /* SPINE_CHANNEL_H */
