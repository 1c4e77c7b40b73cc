/* The host channel's shared region: the emulated NIC's "PCI BAR". One region per NIC, mapped by the NIC (the
   spine-nic process, or the NIC thread of an in-process NIC) and by one host application at a time. It holds two
   single-producer single-consumer rings (include/spine/ring.h): requests from the host to the NIC, and replies
   and events from the NIC to the host. docs/abi.md ("The host channel") explains it; keep the two in step.

   Layout (offsets, never pointers: each side maps the region at its own address):
     bytes 0..63        struct spine_channel_header, written once by spine_channel_init
     to_nic_offset      the ring host -> NIC   (spine_ring_bytes(to_nic_slots) bytes)
     to_host_offset     the ring NIC -> host   (spine_ring_bytes(to_host_slots) bytes)
     buffers_offset     application buffers    (buffers_bytes, a multiple of the page; may be 0)
   Each part starts on a page boundary, so each side's indices and slots never share a page with the header.
   The host carves application buffers out of the last part and registers them for an extension
   (stdlib/Buffer.spi); the extension then writes packet data straight into them.

   Records. Each ring record is an 8-byte envelope, then its body:
     u32 extension   the id of the extension the record is for (host -> NIC) or from (NIC -> host)
     u32 kind        SPINE_CHANNEL_MESSAGE: the body is one message of docs/messages.md (header and payload);
                     SPINE_CHANNEL_REGISTER (host -> NIC): u64 the host's buffer number, u64 offset, u64 size of
                       an application buffer in the buffers part, for the extension;
                     SPINE_CHANNEL_UNREGISTER (host -> NIC): u64 the host's buffer number;
                     SPINE_CHANNEL_BUFFER_ACK (NIC -> host): u64 the host's buffer number, u32 a
                       spine_channel_buffer_status, answering a REGISTER or UNREGISTER
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
#define SPINE_CHANNEL_ENVELOPE 8u /* u32 extension, u32 kind */

/* The kind word of an envelope. */
#define SPINE_CHANNEL_MESSAGE 0u
#define SPINE_CHANNEL_REGISTER 1u
#define SPINE_CHANNEL_UNREGISTER 2u
#define SPINE_CHANNEL_BUFFER_ACK 3u

enum spine_channel_buffer_status {
  SPINE_CHANNEL_BUFFER_OK = 0,
  SPINE_CHANNEL_BUFFER_NO_EXTENSION = 1, /* no such extension is running */
  SPINE_CHANNEL_BUFFER_OUT_OF_RANGE = 2, /* offset and size do not lie in the buffers part */
  SPINE_CHANNEL_BUFFER_REFUSED = 3       /* the number is taken (register) or unknown (unregister), or too many */
};

struct spine_channel_header {
  uint32_t magic;
  uint32_t version;
  uint64_t region_bytes;
  uint64_t to_nic_offset;
  uint32_t to_nic_slots;
  uint32_t to_host_slots;
  uint64_t to_host_offset;
  uint64_t buffers_offset;
  uint64_t buffers_bytes;
  uint8_t reserved[64 - 56];
};
SPINE_RING_STATIC_ASSERT(channel_header_is_one_line, sizeof(struct spine_channel_header) == 64);

static inline uint64_t spine_channel_round_page(uint64_t n) {
  return (n + SPINE_CHANNEL_PAGE - 1) / SPINE_CHANNEL_PAGE * SPINE_CHANNEL_PAGE;
}

/* Bytes of a region whose rings have these slot counts (powers of two, SPINE_RING_MIN_SLOTS..MAX_SLOTS) and
   whose buffers part has `buffer_bytes` (rounded up to pages). */
static inline uint64_t spine_channel_region_bytes(uint32_t to_nic_slots, uint32_t to_host_slots,
                                                  uint64_t buffer_bytes) {
  return SPINE_CHANNEL_PAGE + spine_channel_round_page(spine_ring_bytes(to_nic_slots)) +
         spine_channel_round_page(spine_ring_bytes(to_host_slots)) + spine_channel_round_page(buffer_bytes);
}

/* Lays out an empty channel in `mem` (`bytes` long, page-aligned), before either side attaches. */
static inline int spine_channel_init(void *mem, uint64_t bytes, uint32_t to_nic_slots, uint32_t to_host_slots,
                                     uint64_t buffer_bytes) {
  struct spine_channel_header *h = (struct spine_channel_header *)mem;
  uint64_t to_nic = SPINE_CHANNEL_PAGE;
  uint64_t to_host = to_nic + spine_channel_round_page(spine_ring_bytes(to_nic_slots));
  uint64_t buffers = to_host + spine_channel_round_page(spine_ring_bytes(to_host_slots));
  if ((uintptr_t)mem % SPINE_CHANNEL_PAGE != 0 ||
      bytes < spine_channel_region_bytes(to_nic_slots, to_host_slots, buffer_bytes))
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
  h->buffers_offset = buffers;
  h->buffers_bytes = spine_channel_round_page(buffer_bytes);
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
  if (out->buffers_bytes != 0) {
    if (out->buffers_offset % SPINE_CHANNEL_PAGE != 0 || out->buffers_offset > out->region_bytes ||
        out->buffers_bytes > out->region_bytes - out->buffers_offset ||
        !(out->buffers_offset >= nic_end || out->buffers_offset + out->buffers_bytes <= out->to_nic_offset) ||
        !(out->buffers_offset >= host_end || out->buffers_offset + out->buffers_bytes <= out->to_host_offset))
      return SPINE_RING_BAD_LAYOUT;
  }
  return SPINE_RING_OK;
}

/* The envelope before each record (little-endian, like the wire format). */
static inline void spine_channel_envelope_store_kind(uint8_t *out, uint32_t extension, uint32_t kind) {
  out[0] = (uint8_t)extension;
  out[1] = (uint8_t)(extension >> 8);
  out[2] = (uint8_t)(extension >> 16);
  out[3] = (uint8_t)(extension >> 24);
  out[4] = (uint8_t)kind;
  out[5] = (uint8_t)(kind >> 8);
  out[6] = (uint8_t)(kind >> 16);
  out[7] = (uint8_t)(kind >> 24);
}

static inline void spine_channel_envelope_store(uint8_t *out, uint32_t extension) {
  spine_channel_envelope_store_kind(out, extension, SPINE_CHANNEL_MESSAGE);
}

static inline uint32_t spine_channel_envelope_extension(const uint8_t *in) {
  return (uint32_t)in[0] | (uint32_t)in[1] << 8 | (uint32_t)in[2] << 16 | (uint32_t)in[3] << 24;
}

static inline uint32_t spine_channel_envelope_kind(const uint8_t *in) {
  return (uint32_t)in[4] | (uint32_t)in[5] << 8 | (uint32_t)in[6] << 16 | (uint32_t)in[7] << 24;
}

#ifdef __cplusplus
}
#endif

#endif /* SPINE_CHANNEL_H */
