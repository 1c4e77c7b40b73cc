/* The message wire format between a host application and its extensions: the header, the kinds, the limits and
   the width of ordinals. docs/messages.md is the specification; keep the two in step.

   Plain C99 that also compiles as C++ (the host stubs are C++17; the NIC side and the stub generator include
   it too), so there is one definition of the bytes for every side. Every message is a 24-byte header followed by
   the payload; all integers are little-endian, with no padding or alignment anywhere. The helpers go byte by
   byte, so they are independent of the machine's byte order and of the alignment of the buffer. */
#ifndef SPINE_WIRE_H
#define SPINE_WIRE_H

#include <stdint.h>
#include <string.h>

/* The ordinal width rule is needed at compile time by the C++ stubs (template arguments): constexpr there. */
#ifdef __cplusplus
#define SPINE_WIRE_CONSTEXPR constexpr
#else
#define SPINE_WIRE_CONSTEXPR
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* The version byte of every message. */
#define SPINE_WIRE_VERSION 1u
/* Bytes of the fixed header that starts every message. */
#define SPINE_WIRE_HEADER_SIZE 24u
/* The largest payload a message may carry (16 MiB); a transport may accept less. */
#define SPINE_WIRE_MAX_PAYLOAD (UINT32_C(1) << 24)
/* The most elements an open array may have on the wire, whatever their size. */
#define SPINE_WIRE_MAX_COUNT (UINT32_C(1) << 24)

/* Byte offsets of the header fields (docs/messages.md, section 1). */
#define SPINE_WIRE_KIND_OFFSET 0u         /* u8  enum spine_wire_kind */
#define SPINE_WIRE_VERSION_OFFSET 1u      /* u8  SPINE_WIRE_VERSION */
#define SPINE_WIRE_INDEX_OFFSET 2u        /* u16 request or event index, in declaration order */
#define SPINE_WIRE_LENGTH_OFFSET 4u       /* u32 payload length: the bytes after the header */
#define SPINE_WIRE_FINGERPRINT_OFFSET 8u  /* u64 the interface's fingerprint */
#define SPINE_WIRE_CALL_ID_OFFSET 16u     /* u64 call id of a request and its reply; 0 in events */

/* The kinds of message. The values are the first byte of the header. */
enum spine_wire_kind {
  SPINE_WIRE_REQUEST = 1,    /* host -> NIC: the request's arguments */
  SPINE_WIRE_RESULT = 2,     /* NIC -> host: the request returned; payload: its result, if any */
  SPINE_WIRE_EXCEPTION = 3,  /* NIC -> host: the request raised; payload: u16 position in its RAISES list, then
                                the argument */
  SPINE_WIRE_TRAPPED = 4,    /* NIC -> host: the extension trapped; payload: u32 spx_trap_kind, TEXT file, u32 line */
  SPINE_WIRE_REJECTED = 5,   /* NIC -> host: the request was malformed; payload: TEXT reason */
  SPINE_WIRE_EVENT = 6       /* NIC -> host: an event's arguments */
};

/* Whether `kind` is one of the replies to a request (Result, Exception, Trapped, Rejected). */
static inline int spine_wire_is_reply(uint32_t kind) {
  return kind >= SPINE_WIRE_RESULT && kind <= SPINE_WIRE_REJECTED;
}

/* Bytes an ordinal of ORD range [lo..hi] takes on the wire: the smallest of 1, 2, 4, 8 that holds the range,
   unsigned when lo >= 0, two's complement otherwise. An empty range takes 8 (and no value is valid).
   One expression, so it is a constexpr function in C++11 too. */
static SPINE_WIRE_CONSTEXPR inline unsigned spine_wire_ordinal_width(int64_t lo, int64_t hi) {
  return lo > hi    ? 8u
         : lo >= 0  ? (hi <= 0xFF ? 1u : hi <= 0xFFFF ? 2u : hi <= INT64_C(0xFFFFFFFF) ? 4u : 8u)
         : (lo >= -0x80 && hi <= 0x7F)                               ? 1u
         : (lo >= -0x8000 && hi <= 0x7FFF)                           ? 2u
         : (lo >= -INT64_C(0x80000000) && hi <= INT64_C(0x7FFFFFFF)) ? 4u
                                                                     : 8u;
}

/* Stores the low `width` bytes of `v` at p, least significant first (width 0..8). */
static inline void spine_wire_store_le(uint8_t *p, uint64_t v, unsigned width) {
  unsigned i;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  /* The wire's order is the machine's: the common widths are one unaligned store (the branches fold away when
     the width is a constant; compilers do not always turn the loop below into one). */
  if (width == 8) { memcpy(p, &v, 8); return; }
  if (width == 4) { uint32_t w = (uint32_t)v; memcpy(p, &w, 4); return; }
  if (width == 2) { uint16_t w = (uint16_t)v; memcpy(p, &w, 2); return; }
#endif
  for (i = 0; i < width; ++i) p[i] = (uint8_t)(v >> (8 * i));
}

/* Loads `width` bytes at p, least significant first (width 0..8), zero-extended. */
static inline uint64_t spine_wire_load_le(const uint8_t *p, unsigned width) {
  uint64_t v = 0;
  unsigned i;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  if (width == 8) { memcpy(&v, p, 8); return v; } /* as in spine_wire_store_le */
  if (width == 4) { uint32_t w; memcpy(&w, p, 4); return w; }
  if (width == 2) { uint16_t w; memcpy(&w, p, 2); return w; }
#endif
  for (i = 0; i < width; ++i) v |= (uint64_t)p[i] << (8 * i);
  return v;
}

/* The header's fields, decoded (no field is checked: the receiver validates, docs/messages.md section 1). */
struct spine_wire_header {
  uint8_t kind;
  uint8_t version;
  uint16_t index;
  uint32_t length;
  uint64_t fingerprint;
  uint64_t call_id;
};

/* Writes `h` as the first SPINE_WIRE_HEADER_SIZE bytes at `out`. */
static inline void spine_wire_header_store(uint8_t *out, const struct spine_wire_header *h) {
  out[SPINE_WIRE_KIND_OFFSET] = h->kind;
  out[SPINE_WIRE_VERSION_OFFSET] = h->version;
  spine_wire_store_le(out + SPINE_WIRE_INDEX_OFFSET, h->index, 2);
  spine_wire_store_le(out + SPINE_WIRE_LENGTH_OFFSET, h->length, 4);
  spine_wire_store_le(out + SPINE_WIRE_FINGERPRINT_OFFSET, h->fingerprint, 8);
  spine_wire_store_le(out + SPINE_WIRE_CALL_ID_OFFSET, h->call_id, 8);
}

/* Reads the header from the first SPINE_WIRE_HEADER_SIZE bytes at `in` (the caller checked there are that many). */
static inline struct spine_wire_header spine_wire_header_load(const uint8_t *in) {
  struct spine_wire_header h;
  h.kind = in[SPINE_WIRE_KIND_OFFSET];
  h.version = in[SPINE_WIRE_VERSION_OFFSET];
  h.index = (uint16_t)spine_wire_load_le(in + SPINE_WIRE_INDEX_OFFSET, 2);
  h.length = (uint32_t)spine_wire_load_le(in + SPINE_WIRE_LENGTH_OFFSET, 4);
  h.fingerprint = spine_wire_load_le(in + SPINE_WIRE_FINGERPRINT_OFFSET, 8);
  h.call_id = spine_wire_load_le(in + SPINE_WIRE_CALL_ID_OFFSET, 8);
  return h;
}

#ifdef __cplusplus
}
#endif

#endif /* SPINE_WIRE_H */
