// The XDP twin of counter.spx for the deploy benchmark: count every packet and its bytes in a one-slot array
// map, then pass the packet on. Built with clang-19 -O2 -g -target bpf (-g for the BTF that libbpf needs to
// create the map); loaded by libbpf and by bpftool, never attached to an interface.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct counters {
  __u64 packets;
  __u64 bytes;
};

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct counters);
} pass_counts SEC(".maps");

SEC("xdp")
int pass_counter(struct xdp_md *ctx) {
  __u32 key = 0;
  struct counters *c = bpf_map_lookup_elem(&pass_counts, &key);
  if (c) {
    __sync_fetch_and_add(&c->packets, 1);
    __sync_fetch_and_add(&c->bytes, ctx->data_end - ctx->data);
  }
  return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
