/* MODULE Hello: writes through IO and Log; exports a filter and a counter for invoke(). */
#include "ext.h"

SPX_STATE;
SPX_TEXT(hello, "Hello, ");
SPX_TEXT(world, "world ");
SPX_TEXT(logged, "logged");
SPX_TEXT(warned, "careful");

static int64_t count;

SPX_INIT {
  io_put(TEXT(hello));
  io_put(TEXT(world));
  io_put_int(-42);
  io_put_char('\n');
  io_put(TEXT(hello));  /* a partial line: flushed when the invocation ends */
  log_put(TEXT(logged));
  log_message(2, TEXT(warned));
}

/* PROCEDURE Filter(VAR data: ARRAY OF Net.Byte): INTEGER -- (ptr, int64) -> int64 */
int64_t hello_filter(uint8_t *data, int64_t n) __asm__("Hello.Filter");
int64_t hello_filter(uint8_t *data, int64_t n) {
  int64_t sum = 0;
  for (int64_t i = 0; i < n; i++) {
    SPX_FUEL(0);
    sum += data[i];
  }
  return sum;
}

int64_t hello_count(void) __asm__("Hello.Count");
int64_t hello_count(void) { return ++count; }
