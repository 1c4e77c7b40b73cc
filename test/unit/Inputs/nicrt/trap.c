/* MODULE Trap: a range error in the module body; code after it must never run. */
#include "ext.h"

SPX_STATE;
SPX_TEXT(before, "before\n");
SPX_TEXT(after, "after\n");

int64_t trap_reached_after __asm__("Trap.reachedAfter");
int64_t trap_reached_after;

SPX_INIT {
  io_put(TEXT(before));
  spx_rt_trap(SPX_TRAP_RANGE, 1);
  trap_reached_after = 1;
  io_put(TEXT(after));
}

/* PROCEDURE Divide(x: INTEGER): INTEGER = BEGIN RETURN 100 DIV x END Divide; */
int64_t trap_divide(int64_t x) __asm__("Trap.Divide");
int64_t trap_divide(int64_t x) {
  if (x == 0) spx_rt_trap(SPX_TRAP_DIV_ZERO, 2);
  return 100 / x;
}
