/* Refers to symbols the runtime does not export: libc, an interface it does not provide, and a procedure
   missing from one it does. */
#include "ext.h"

int printf(const char *, ...);
void host_notify(int64_t code) __asm__("Host.Notify");
void io_frob(void) __asm__("IO.Frob");

SPX_STATE;
SPX_INIT {
  printf("escaped %d\n", 1);
  host_notify(0);
  io_frob();
}
