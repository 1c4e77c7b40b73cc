// The runtime side of stdlib/Table.spi: fixed-capacity hash tables from INTEGER to INTEGER.
//
// A table is one block of the extension's own heap (so it counts against its quota and goes with it): a header,
// then a power-of-two array of slots at least twice the capacity, with linear probing and backward-shift
// deletion (no tombstones), so every operation probes a bounded, short run and never allocates. A Table.T is
// opaque to the extension (it cannot be dereferenced, and the language has no run-time type tests), so the
// only way to reach the block is these procedures; each still checks the header's magic word, as a second
// line of defence. They trap from their own C frame (NIL, heap quota) and raise Table.Full as generated code
// raises (spx_state.exc), docs/abi.md.
#include "stdlib/TableRuntime.h"

#include "detail/Invocation.h"

namespace {

using spine::nicrt::detail::Invocation;

constexpr uint64_t kMagic = 0x5350585441424c45ull;  // "SPXTABLE"
// Capacity bound: far above any heap quota, and small enough that the size computation cannot overflow.
constexpr int64_t kMaxCapacity = int64_t{1} << 32;

struct Slot {
  int64_t key;
  int64_t value;
  uint64_t used;
};

struct Table {
  uint64_t magic;
  uint64_t capacity;  // keys it may hold
  uint64_t count;
  uint64_t mask;      // slots - 1
  Slot slots[];
};

using spine::nicrt::detail::requireInvocation;

Table *checked(void *t, uint32_t site) {
  if (!t) spx_rt_trap(SPX_TRAP_NIL, site);
  auto *table = static_cast<Table *>(t);
  if (table->magic != kMagic) spx_rt_trap(SPX_TRAP_NIL, site);  // cannot happen from checked code
  return table;
}

uint64_t hashOf(int64_t key) {  // a 64-bit finaliser (splitmix64): keys that differ in any bit spread
  uint64_t x = static_cast<uint64_t>(key);
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// The slot holding `key`, or the empty slot where it would go.
uint64_t find(const Table *t, int64_t key) {
  uint64_t i = hashOf(key) & t->mask;
  while (t->slots[i].used && t->slots[i].key != key) i = (i + 1) & t->mask;
  return i;
}

}  // namespace

extern "C" {

alignas(16) unsigned char spx_table_full[16];

void *spx_table_new(int64_t capacity, uint32_t site) {
  Invocation &inv = requireInvocation("Table.New");
  if (capacity < 0 || capacity > kMaxCapacity) spx_rt_trap(SPX_TRAP_HEAP, site);
  uint64_t slots = 4;
  while (slots < 2 * static_cast<uint64_t>(capacity)) slots *= 2;
  uint64_t bytes = sizeof(Table) + slots * sizeof(Slot);
  spine::nicrt::detail::chargeWork(inv, bytes, site);  // the zeroing, as NEW pays for it
  void *mem = inv.extension->heap.allocate(bytes, inv.extension->limits.heapBytes);  // zeroed
  if (!mem) spx_rt_trap(SPX_TRAP_HEAP, site);
  auto *t = static_cast<Table *>(mem);
  t->magic = kMagic;
  t->capacity = static_cast<uint64_t>(capacity);
  t->mask = slots - 1;
  return t;
}

int64_t spx_table_get(void *p, int64_t key, int64_t *value, uint32_t site) {
  requireInvocation("Table.Get");
  Table *t = checked(p, site);
  uint64_t i = find(t, key);
  if (!t->slots[i].used) return 0;
  *value = t->slots[i].value;
  return 1;
}

void spx_table_put(void *p, int64_t key, int64_t value, uint32_t site) {
  Invocation &inv = requireInvocation("Table.Put");
  Table *t = checked(p, site);
  uint64_t i = find(t, key);
  if (!t->slots[i].used) {
    if (t->count == t->capacity) {
      inv.extension->state->exc = spx_table_full;  // RAISE Table.Full
      return;
    }
    t->slots[i].used = 1;
    t->slots[i].key = key;
    ++t->count;
  }
  t->slots[i].value = value;
}

int64_t spx_table_delete(void *p, int64_t key, uint32_t site) {
  requireInvocation("Table.Delete");
  Table *t = checked(p, site);
  uint64_t i = find(t, key);
  if (!t->slots[i].used) return 0;
  // Backward-shift deletion: move later members of the probe run into the hole, so lookups need no tombstones.
  uint64_t hole = i;
  for (uint64_t j = (hole + 1) & t->mask; t->slots[j].used; j = (j + 1) & t->mask) {
    uint64_t home = hashOf(t->slots[j].key) & t->mask;
    // j may move to the hole if its home is not cyclically in (hole, j].
    bool between = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
    if (!between) {
      t->slots[hole] = t->slots[j];
      hole = j;
    }
  }
  t->slots[hole] = Slot{0, 0, 0};
  --t->count;
  return 1;
}

int64_t spx_table_count(void *p, uint32_t site) {
  requireInvocation("Table.Count");
  return static_cast<int64_t>(checked(p, site)->count);
}

int64_t spx_table_capacity(void *p, uint32_t site) {
  requireInvocation("Table.Capacity");
  return static_cast<int64_t>(checked(p, site)->capacity);
}

}  // extern "C"
