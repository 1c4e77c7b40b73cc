/* MODULE Oracle: memory accesses checked by the memory-safety oracle, as spinec --oracle compiles them (a call
   of spx_rt_oracle_check before each). Sites: 1 globals and constants, 2 heap, 3 stack, 4 host memory, 5 past
   a heap block, 6 constants written, 7 invocation bytes. */
#include "ext.h"

#define LOAD(p, site) (spx_rt_oracle_check((p), sizeof *(p), 0, (site)), *(p))
#define STORE(p, v, site) (spx_rt_oracle_check((p), sizeof *(p), 1, (site)), *(p) = (v))

SPX_STATE;
SPX_INIT {}

int64_t oracle_counter __asm__("Oracle.counter");
int64_t oracle_counter;
static const int64_t table[4] = {1, 2, 3, 4};

/* Globals, spx.state, constants, a heap block and the stack: all the extension's own. */
int64_t oracle_own_memory(void) __asm__("Oracle.OwnMemory");
int64_t oracle_own_memory(void) {
  STORE(&oracle_counter, LOAD(&oracle_counter, 1) + 1, 1);
  int64_t *block = spx_rt_new(3 * sizeof(int64_t), 2);
  STORE(&block[2], 5, 2);
  int64_t local[2];
  STORE(&local[1], LOAD(&block[2], 2) + LOAD(&table[3], 1), 3);
  spx_rt_oracle_check(&spx_state_, sizeof spx_state_, 1, 1);
  spx_rt_oracle_check(block, 3 * sizeof(int64_t), 1, 2);
  return LOAD(&local[1], 3) + LOAD(&oracle_counter, 1);
}

void oracle_write_host(int64_t *p) __asm__("Oracle.WriteHost");
void oracle_write_host(int64_t *p) { STORE(p, 1, 4); }

/* One byte past a block of 10. */
int64_t oracle_read_past_heap_block(void) __asm__("Oracle.ReadPastHeapBlock");
int64_t oracle_read_past_heap_block(void) {
  char *b = spx_rt_new(10, 5);
  STORE(&b[9], 1, 5);
  return LOAD(&b[10], 5);
}

/* Eight bytes from the middle of one variable into whatever follows it: each variable is its own. */
int64_t oracle_neighbour __asm__("Oracle.neighbour");
int64_t oracle_neighbour;
void oracle_straddle_variables(void) __asm__("Oracle.StraddleVariables");
void oracle_straddle_variables(void) {
  spx_rt_oracle_check((char *)&oracle_counter + 4, 8, 0, 1);
  spx_rt_oracle_check((char *)&oracle_neighbour + 4, 8, 0, 1);
}

void oracle_write_constant(void) __asm__("Oracle.WriteConstant");
void oracle_write_constant(void) { spx_rt_oracle_check(&table[1], sizeof table[1], 1, 6); }

int64_t oracle_sum(const uint8_t *p, int64_t n) __asm__("Oracle.Sum");
int64_t oracle_sum(const uint8_t *p, int64_t n) {
  int64_t s = 0;
  for (int64_t i = 0; i < n; i++) s += LOAD(&p[i], 7);
  return s;
}
