/* Hand-written stand-ins for what spinec generates, for the runtime's unit tests: the ABI names of
   spine/abi.h given with asm labels. Each extension defines its own spx.state and spx.init. */
#include <stdint.h>

#include "spine/abi.h"

#define SPX_STATE struct spx_state spx_state_ __asm__("spx.state")
#define SPX_INIT void spx_init_(void) __asm__("spx.init"); void spx_init_(void)
#define SPX_TEXT(name, str) \
  static const struct { int64_t length; char chars[sizeof(str)]; } name = {sizeof(str) - 1, str}
#define TEXT(name) ((const struct spx_text *)&(name))

extern struct spx_state spx_state_ __asm__("spx.state");
void io_put(const struct spx_text *txt) __asm__("IO.Put");
void io_put_int(int64_t n) __asm__("IO.PutInt");
void io_put_char(int64_t ch) __asm__("IO.PutChar");
void log_put(const struct spx_text *txt) __asm__("Log.Put");
void log_message(int64_t level, const struct spx_text *txt) __asm__("Log.Message");

/* What generated code does at every loop back-edge and call. */
#define SPX_FUEL(site) \
  do { if (--spx_state_.fuel < 0) spx_rt_trap(SPX_TRAP_FUEL, (site)); } while (0)
/* What generated code does at procedure entry. */
#define SPX_STACK_CHECK(site) \
  do { if ((uintptr_t)__builtin_frame_address(0) < spx_state_.stack_limit) spx_rt_trap(SPX_TRAP_STACK, (site)); } \
  while (0)
