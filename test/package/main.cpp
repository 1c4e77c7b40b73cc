// Deploys the extension spine_add_extension built and calls it through its stubs; prints the counts.
#include <cstdio>
#include <cstdlib>

#include "Counter.h"
#include <spine/host/Nic.h>

int main(int argc, char **argv) {
  if (argc != 2) return 2;
  spine::host::InProcessOptions o;
  o.trustedKeys = {argv[1]};
  auto nic = spine::host::Nic::inProcess(o);
  spine_gen::Counter::CounterClient counter(nic->channel(nic->deploy(COUNTER_IMAGE)));
  std::printf("count %lld\n", static_cast<long long>(counter.Add(2)));
  std::printf("count %lld\n", static_cast<long long>(counter.Add(40)));
  return 0;
}
