/* MODULE Limits: runs out of fuel, stack or heap on request. */
#include "ext.h"

SPX_STATE;
SPX_INIT {}

void limits_spin_forever(void) __asm__("Limits.SpinForever");
void limits_spin_forever(void) {
  for (;;) SPX_FUEL(1);
}

int64_t limits_spin(int64_t n) __asm__("Limits.Spin");
int64_t limits_spin(int64_t n) {
  int64_t i = 0;
  for (; i < n; i++) SPX_FUEL(1);
  return i;
}

static int64_t recurse(volatile int64_t depth) {
  volatile char frame[512];
  SPX_STACK_CHECK(2);
  frame[depth % 512] = (char)depth;
  return recurse(depth + 1) + frame[depth % 512];  /* not a tail call */
}

int64_t limits_recurse(void) __asm__("Limits.Recurse");
int64_t limits_recurse(void) { return recurse(0); }

void *limits_alloc(int64_t size) __asm__("Limits.Alloc");
void *limits_alloc(int64_t size) { return spx_rt_new((uint64_t)size, 3); }

void limits_exhaust_heap(void) __asm__("Limits.ExhaustHeap");
void limits_exhaust_heap(void) {
  for (;;) spx_rt_new(1000, 3);
}

/* RAISE without a handler: cannot come out of checked code, so the runtime reports it. */
char limits_failure __asm__("Limits.Failure");
char limits_failure;
void limits_raise(void) __asm__("Limits.Raise");
void limits_raise(void) { spx_state_.exc = &limits_failure; }
