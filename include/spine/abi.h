/* The contract between code that spinec generates and the NIC runtime that runs it.

   Everything here is plain C so that the runtime, generated code and tests agree on one definition. It lives in
   the top-level include/spine/ (CMake target spine_abi), the header layer that compiler, nicrt and hostrt share
   and nothing else joins. docs/abi.md explains the choices; keep the two in step.

   Symbols
   - A procedure P of interface or module M is the symbol "M.P" (nested procedures "M.Outer.Inner", internal).
     Procedures of interfaces the runtime provides (IO, Packet, ...) are undefined in the image and resolved
     by the loader against the runtime's export table only.
   - An exception E of interface or module M is the symbol "M.E": a global whose address is the exception's
     identity and whose bytes hold the argument of the exception being raised (at least one byte).
   - The image defines "spx.state" (struct spx_state) and "spx.init" (void(void): runs the module bodies in
     import order). Handlers and requests are ordinary procedures named in the manifest.

   Values (parameters and results of procedures, also of runtime procedures)
   - every ordinal (INTEGER, CARDINAL, subranges, enumerations, BOOLEAN, CHAR) travels as int64_t;
   - REF, REFANY, TEXT and opaque types (Packet.T) as a pointer; TEXT points to struct spx_text;
   - VAR and READONLY parameters, and VALUE parameters of record, array and set types, as a pointer to the
     variable (the callee copies a VALUE aggregate it receives);
   - an open array parameter as (pointer to the first element, int64_t length) per open dimension;
   - a procedure value as two pointers (code, environment); environment is NULL for top-level procedures;
   - a result of record, array or set type is returned through a pointer passed as the first parameter.

   Exceptions: RAISE stores the argument into the exception's global, sets spx_state.exc to the exception's
   address and returns. A caller checks spx_state.exc after a call only where the callee's type may raise,
   so a procedure that raises nothing costs nothing. A runtime procedure raises the same way.

   Runtime procedures (those of interfaces the runtime provides) take one more argument after their declared
   ones: the uint32_t trap site of the call, so that one which traps (Packet.Send of a used handle) reports
   the caller's file:line. A call through a procedure value passes SPX_SITE_UNKNOWN.

   Traps: a checked runtime error calls spx_rt_trap, which never returns into the extension. */
#ifndef SPINE_ABI_H
#define SPINE_ABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The kinds of checked runtime error (lang/REFERENCE.md section 10). Values are part of the image format. */
enum spx_trap_kind {
  SPX_TRAP_RANGE = 1,          /* index or subrange out of range, bad SUBARRAY/NEW length, array shapes */
  SPX_TRAP_NIL = 2,            /* NIL dereference, or call of a NIL procedure */
  SPX_TRAP_NESTED_PROC = 3,    /* a nested procedure stored */
  SPX_TRAP_OVERFLOW = 4,       /* integer overflow */
  SPX_TRAP_DIV_ZERO = 5,       /* DIV or MOD by zero */
  SPX_TRAP_VIEW = 6,           /* VIEW beyond the data */
  SPX_TRAP_PACKET_USED = 7,    /* packet used after send or drop */
  SPX_TRAP_CASE = 8,           /* CASE without a matching arm */
  SPX_TRAP_NO_RETURN = 9,      /* a function reached its end without RETURN */
  SPX_TRAP_FUEL = 10,          /* the invocation's work budget is exhausted */
  SPX_TRAP_STACK = 11,         /* the invocation's stack is full */
  SPX_TRAP_HEAP = 12,          /* NEW beyond the extension's heap quota */
  SPX_TRAP_ORACLE = 13,        /* spinec --oracle: an access outside the extension's memory (a compiler bug) */
  SPX_TRAP_EXCEPTION = 14,     /* a request raised an exception its RAISES list does not name */
  SPX_TRAP_MESSAGE_SIZE = 15,  /* a reply larger than the host channel carries (SPINE_WIRE_MAX_PAYLOAD) */
  SPX_TRAP_KIND_LAST = 15
};

/* The words a checked runtime error is reported with: "checked runtime error: <name>". */
static inline const char *spx_trap_name(uint32_t kind) {
  switch (kind) {
    case SPX_TRAP_RANGE: return "range";
    case SPX_TRAP_NIL: return "NIL dereference";
    case SPX_TRAP_NESTED_PROC: return "nested procedure stored";
    case SPX_TRAP_OVERFLOW: return "integer overflow";
    case SPX_TRAP_DIV_ZERO: return "division by zero";
    case SPX_TRAP_VIEW: return "VIEW beyond the data";
    case SPX_TRAP_PACKET_USED: return "packet used after send or drop";
    case SPX_TRAP_CASE: return "CASE without arm";
    case SPX_TRAP_NO_RETURN: return "missing RETURN";
    case SPX_TRAP_FUEL: return "fuel exhausted";
    case SPX_TRAP_STACK: return "stack limit";
    case SPX_TRAP_HEAP: return "heap quota";
    case SPX_TRAP_ORACLE: return "memory-safety oracle: access outside the extension's memory (a compiler bug)";
    case SPX_TRAP_EXCEPTION: return "exception not in RAISES";
    case SPX_TRAP_MESSAGE_SIZE: return "reply too large for the host channel";
    default: return "unknown";
  }
}

/* The site a runtime procedure receives when it is called through a procedure value. */
#define SPX_SITE_UNKNOWN 0xFFFFFFFFu

/* Per-image state, defined by the image as "spx.state" and set by the runtime before each invocation. */
struct spx_state {
  int64_t fuel;             /* work left: decremented at every loop back-edge and call; < 0 traps */
  uintptr_t stack_limit;    /* a procedure whose stack pointer (after its fixed frame) is below this traps; the
                               runtime keeps a reserve below it for leaf procedures (frames up to 4 KiB, which
                               do not check) and its own procedures (stacks grow down) */
  const void *exc;          /* the exception being raised, or NULL */
  void *runtime;            /* the runtime's own pointer for this image (opaque to generated code) */
};

/* A TEXT value: immutable, NUL-terminated for convenience (the NUL is not counted). */
struct spx_text {
  int64_t length;
  char chars[];
};

/* Also provided by the runtime: memcpy, memmove, memset, memcmp and bcmp, which LLVM emits for aggregate
   copies, zeroing and comparisons. Nothing else of the C library is reachable from an image. */

/* Provided by the runtime. `site` indexes the image's trap-site table (file:line:column). */
void spx_rt_trap(uint32_t kind, uint32_t site) __attribute__((noreturn));
/* Zeroed storage of `size` bytes (aligned to 16) from the extension's heap; traps with SPX_TRAP_HEAP at
   `site` when the quota is exceeded. */
void *spx_rt_new(uint64_t size, uint32_t site);
/* Code compiled with spinec --oracle calls this before every load, store and memory copy: it returns when
   [ptr, ptr + size) lies wholly in memory the running extension owns (its image's data, for reads also its
   constants, a live heap block, the invocation's stack, the invocation's bytes), and traps with
   SPX_TRAP_ORACLE at `site` otherwise. `is_write` is 0 or 1. docs/safety.md describes it. */
void spx_rt_oracle_check(const void *ptr, uint64_t size, uint32_t is_write, uint32_t site);
/* An event of a message interface the image exports (docs/messages.md): the generated event procedure asks
   for room for a message with a `size`-byte payload, writes the payload where the returned pointer says, then
   posts it. NULL means the message cannot be taken now (no host attached, the channel full, or more than
   SPINE_WIRE_MAX_PAYLOAD bytes); nothing is written and the runtime counts it. The runtime fills the header
   (kind Event, `fingerprint`, `index`). */
uint8_t *spx_rt_event_begin(uint64_t fingerprint, uint32_t index, uint64_t size);
void spx_rt_event_end(uint8_t *payload);

/* Requests of a message interface I the image exports (docs/messages.md): the image defines
     uint64_t "spx.request.I"(uint32_t index, const uint8_t *payload, uint64_t length)
   which the runtime calls in a protected invocation with a request's payload (the header already checked). It
   first checks that the payload decodes exactly; only then it decodes the arguments, runs request `index` and
   posts its reply (Result, or Exception for an exception of the request's RAISES list) through
   spx_rt_reply_begin/end, and returns SPX_REQUEST_RAN. Otherwise nothing ran and nothing was posted: it returns
   SPX_REQUEST_NO_SUCH_INDEX, SPX_REQUEST_TOO_LARGE (the arguments need more memory than the runtime grants),
   or 1 + the payload offset of the first malformed byte (truncated, out of range, or left over). */
#define SPX_REQUEST_RAN 0u
#define SPX_REQUEST_NO_SUCH_INDEX UINT64_MAX
#define SPX_REQUEST_TOO_LARGE (UINT64_MAX - 1)
/* Zeroed memory (aligned to 16) for a request's decoded arguments, valid until the invocation ends; NULL when
   the request's arguments together would exceed the extension's heap quota. */
void *spx_rt_request_scratch(uint64_t size);
/* 1 if the extension's heap quota leaves `size` bytes for the request's TEXT arguments (their characters stay in
   the heap, since the extension may keep them), else 0: the dispatcher then refuses the request as too large. */
int64_t spx_rt_request_heap_fits(uint64_t size);
/* Room for the reply of the running request: `kind` is SPINE_WIRE_RESULT or SPINE_WIRE_EXCEPTION, `size` its
   payload's bytes. Never NULL: a payload over SPINE_WIRE_MAX_PAYLOAD traps with SPX_TRAP_MESSAGE_SIZE at
   `site`. The runtime fills the header (the request's fingerprint, index and call id). */
uint8_t *spx_rt_reply_begin(uint32_t kind, uint64_t size, uint32_t site);
void spx_rt_reply_end(uint8_t *payload);

#ifdef __cplusplus
}
#endif

#endif /* SPINE_ABI_H */
