// The NIC's state as text lines (NicReport.h).
#include "nic/NicReport.h"

#include <cstdarg>
#include <cstdio>

namespace spine::nicrt {
namespace {

using ull = unsigned long long;

}  // namespace

std::string formatLine(const char *fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  return buf;
}


std::vector<std::string> counterLines(const std::string &name, Nic &nic) {
  std::vector<std::string> lines;
  const NicCounters &c = nic.counters();
  lines.push_back(formatLine("spine-nic %s: received %llu, sent %llu, dropped %llu, unclaimed %llu, sent to a missing "
                         "port %llu, released by faults %llu",
                         name.c_str(), ull(c.received), ull(c.sent), ull(c.dropped), ull(c.unclaimed),
                         ull(c.sentToMissingPort), ull(c.releasedByFault)));
  lines.push_back(formatLine("  pool: %u buffers in use of %u, %u retired", nic.pool().inUse(), nic.pool().capacity(),
                         nic.pool().retired()));
  for (size_t i = 0; i < nic.portCount(); ++i) {
    const Port &p = *nic.port(static_cast<uint32_t>(i));
    const PortCounters &pc = p.counters();
    lines.push_back(formatLine("  port %zu %s: rx %llu packets %llu bytes, tx %llu packets %llu bytes, drops %llu, "
                           "errors %llu",
                           i, p.name().c_str(), ull(pc.rxPackets), ull(pc.rxBytes), ull(pc.txPackets),
                           ull(pc.txBytes), ull(pc.drops), ull(pc.errors)));
  }
  if (const HostChannel *ch = nic.hostChannel()) {
    const HostChannelCounters &hc = ch->counters();
    lines.push_back(formatLine("  host channel: %llu requests taken, %llu refused, %llu messages to the host, ring full %llu "
                           "times, %llu doorbells%s",
                           ull(hc.requests), ull(hc.refused), ull(hc.messages), ull(hc.full), ull(hc.doorbells),
                           hc.corrupt ? ", corrupt (the host broke the ring's rules)" : ""));
  }
  for (const ExtensionInfo &x : nic.extensions())
    lines.push_back(formatLine("  extension %u %s (%s): packets %llu, sent %llu, dropped %llu, faults %llu, events %llu, "
                           "events refused %llu, requests %llu, requests rejected %llu",
                           x.id, x.module.c_str(), extensionStateName(x.state), ull(x.counters.packets),
                           ull(x.counters.sent), ull(x.counters.dropped), ull(x.counters.faults),
                           ull(x.counters.events), ull(x.counters.eventsRefused), ull(x.counters.requests),
                           ull(x.counters.requestsRejected)));
  return lines;
}

std::vector<std::string> extensionLines(Nic &nic) {
  std::vector<std::string> lines;
  for (const ExtensionInfo &x : nic.extensions()) {
    const ExtensionCounters &c = x.counters;
    lines.push_back(formatLine("%u %s %s fault-policy=%s heap=%zu packets=%llu sent=%llu dropped=%llu faults=%llu "
                           "events=%llu events-refused=%llu requests=%llu requests-rejected=%llu",
                           x.id, x.module.c_str(), extensionStateName(x.state), faultPolicyName(x.faultPolicy),
                           x.heapUsed, ull(c.packets), ull(c.sent), ull(c.dropped), ull(c.faults), ull(c.events),
                           ull(c.eventsRefused), ull(c.requests), ull(c.requestsRejected)));
  }
  return lines;
}

std::vector<std::string> faultLines(Nic &nic) {
  std::vector<std::string> lines;
  for (const FaultRecord &f : nic.faults())
    lines.push_back("extension " + std::to_string(f.extension) + " (" + f.module + "): " + f.message + "; " + f.action);
  return lines;
}

}  // namespace spine::nicrt
