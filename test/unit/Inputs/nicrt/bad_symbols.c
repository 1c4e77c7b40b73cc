/* Refers to symbols the runtime does not export: libc, an interface it does not provide, and a procedure
   missing from one it does. */
#include "ext.h"

int printf(const char *, ...);
void disk_read(int64_t block) __asm__("Disk.Read");
void io_frob(void) __asm__("IO.Frob");

SPX_STATE;
SPX_INIT {
  printf("escaped %d\n", 1);
  disk_read(0);
  io_frob();
}
