// What the runtime exports to images. An interface is exported when the runtime implements every procedure
// it declares (or it declares none: Word's procedures are compiled inline by spinec, Net has only types).
// Each exported interface's runtime side lives in its own file (stdlib/<I>Runtime.cpp), listed here by symbol;
// an image importing anything else is refused.
#include <cstring>

#include "detail/Exports.h"
#include "detail/StdIO.h"
#include "stdlib/BufferRuntime.h"
#include "stdlib/ChecksumRuntime.h"
#include "stdlib/HostRuntime.h"
#include "stdlib/PacketRuntime.h"
#include "stdlib/PeerRuntime.h"
#include "stdlib/TableRuntime.h"
#include "stdlib/TimerRuntime.h"
#include "spine/nicrt/StdlibFingerprints.h"

namespace spine::nicrt {
namespace detail {
namespace {

constexpr std::string_view kExportedInterfaceNames[] = {"IO",    "Log",      "Word",  "Net",  "Packet", "Table",
                                                        "Checksum", "Timer", "Host", "Peer",   "Buffer"};
// Exported interfaces whose procedures spinec compiles inline, so the table has no symbol for them.
constexpr std::string_view kInlineInterfaces[] = {"Word"};

// memcpy/memmove/memset/memcmp/bcmp: LLVM lowers aggregate copies, zeroing and comparisons (record and array
// `=`) to these calls, and they can only touch what the checked code handed them.
const ExportedSymbol kSymbols[] = {
    {"IO.Put", reinterpret_cast<void *>(&spx_io_put)},
    {"IO.PutInt", reinterpret_cast<void *>(&spx_io_put_int)},
    {"IO.PutChar", reinterpret_cast<void *>(&spx_io_put_char)},
    {"Log.Put", reinterpret_cast<void *>(&spx_log_put)},
    {"Log.PutInt", reinterpret_cast<void *>(&spx_log_put_int)},
    {"Log.Message", reinterpret_cast<void *>(&spx_log_message)},
    {"Packet.Length", reinterpret_cast<void *>(&spx_packet_length)},
    {"Packet.Send", reinterpret_cast<void *>(&spx_packet_send)},
    {"Packet.Drop", reinterpret_cast<void *>(&spx_packet_drop)},
    {"Packet.Copy", reinterpret_cast<void *>(&spx_packet_copy)},
    {"Packet.PushHead", reinterpret_cast<void *>(&spx_packet_push_head)},
    {"Packet.PullHead", reinterpret_cast<void *>(&spx_packet_pull_head)},
    {"Packet.PushTail", reinterpret_cast<void *>(&spx_packet_push_tail)},
    {"Packet.TrimTail", reinterpret_cast<void *>(&spx_packet_trim_tail)},
    {"Packet.Get", reinterpret_cast<void *>(&spx_packet_get)},
    {"Packet.Put", reinterpret_cast<void *>(&spx_packet_put)},
    {"Packet.Exhausted", static_cast<void *>(spx_packet_exhausted)},
    {"Table.New", reinterpret_cast<void *>(&spx_table_new)},
    {"Table.Get", reinterpret_cast<void *>(&spx_table_get)},
    {"Table.Put", reinterpret_cast<void *>(&spx_table_put)},
    {"Table.Delete", reinterpret_cast<void *>(&spx_table_delete)},
    {"Table.Count", reinterpret_cast<void *>(&spx_table_count)},
    {"Table.Capacity", reinterpret_cast<void *>(&spx_table_capacity)},
    {"Table.Full", static_cast<void *>(spx_table_full)},
    {"Timer.Start", reinterpret_cast<void *>(&spx_timer_start)},
    {"Timer.Stop", reinterpret_cast<void *>(&spx_timer_stop)},
    {"Timer.Now", reinterpret_cast<void *>(&spx_timer_now)},
    {"Host.Notify", reinterpret_cast<void *>(&spx_host_notify)},
    {"Host.Attached", reinterpret_cast<void *>(&spx_host_attached)},
    {"Host.Room", reinterpret_cast<void *>(&spx_host_room)},
    {"Peer.Self", reinterpret_cast<void *>(&spx_peer_self)},
    {"Peer.Reachable", reinterpret_cast<void *>(&spx_peer_reachable)},
    {"Peer.Forward", reinterpret_cast<void *>(&spx_peer_forward)},
    {"Peer.Send", reinterpret_cast<void *>(&spx_peer_send)},
    {"Peer.Unreachable", static_cast<void *>(spx_peer_unreachable)},
    {"Buffer.Size", reinterpret_cast<void *>(&spx_buffer_size)},
    {"Buffer.Write", reinterpret_cast<void *>(&spx_buffer_write)},
    {"Buffer.Notify", reinterpret_cast<void *>(&spx_buffer_notify)},
    {"Buffer.OutOfRange", static_cast<void *>(spx_buffer_out_of_range)},
    {"Checksum.Internet", reinterpret_cast<void *>(&spx_checksum_internet)},
    {"Checksum.Sum", reinterpret_cast<void *>(&spx_checksum_sum)},
    {"Checksum.Combine", reinterpret_cast<void *>(&spx_checksum_combine)},
    {"Checksum.Update", reinterpret_cast<void *>(&spx_checksum_update)},
    {"spx_rt_trap", reinterpret_cast<void *>(&spx_rt_trap)},
    {"spx_rt_new", reinterpret_cast<void *>(&spx_rt_new)},
    {"spx_rt_event_begin", reinterpret_cast<void *>(&spx_rt_event_begin)},
    {"spx_rt_event_end", reinterpret_cast<void *>(&spx_rt_event_end)},
    {"spx_rt_request_scratch", reinterpret_cast<void *>(&spx_rt_request_scratch)},
    {"spx_rt_request_heap_fits", reinterpret_cast<void *>(&spx_rt_request_heap_fits)},
    {"spx_rt_reply_begin", reinterpret_cast<void *>(&spx_rt_reply_begin)},
    {"spx_rt_reply_end", reinterpret_cast<void *>(&spx_rt_reply_end)},
    {"spx_rt_oracle_check", reinterpret_cast<void *>(&spx_rt_oracle_check)},
    {"memcpy", reinterpret_cast<void *>(&::memcpy)},
    {"memmove", reinterpret_cast<void *>(&::memmove)},
    {"memset", reinterpret_cast<void *>(&::memset)},
    {"memcmp", reinterpret_cast<void *>(&::memcmp)},
    {"bcmp", reinterpret_cast<void *>(&::memcmp)},
};

}  // namespace

std::span<const ExportedSymbol> exportedSymbolTable() { return kSymbols; }

std::vector<std::string> missingExports() {
  std::vector<std::string> missing;
  for (std::string_view proc : generated::kStdlibProcedures) {
    std::string_view iface = proc.substr(0, proc.find('.'));
    bool exported = false, inlined = false;
    for (std::string_view n : kExportedInterfaceNames) exported = exported || n == iface;
    for (std::string_view n : kInlineInterfaces) inlined = inlined || n == iface;
    if (!exported || inlined) continue;
    bool found = false;
    for (const auto &s : kSymbols) found = found || s.name == proc;
    if (!found) missing.emplace_back(proc);
  }
  return missing;
}

bool stdlibFingerprint(std::string_view name, uint64_t &fingerprint) {
  for (const auto &f : generated::kStdlibFingerprints)
    if (f.name == name) {
      fingerprint = f.fingerprint;
      return true;
    }
  return false;
}

const ExportedInterface *findExportedInterface(std::string_view name) {
  for (const auto &i : Runtime::exportedInterfaces())
    if (i.name == name) return &i;
  return nullptr;
}

}  // namespace detail

const std::vector<ExportedInterface> &Runtime::exportedInterfaces() {
  static const std::vector<ExportedInterface> interfaces = [] {
    std::vector<ExportedInterface> v;
    for (std::string_view name : detail::kExportedInterfaceNames) {
      uint64_t fp = 0;
      if (!detail::stdlibFingerprint(name, fp)) __builtin_trap();  // the build generated them all
      v.push_back({name, fp});
    }
    return v;
  }();
  return interfaces;
}

std::vector<std::string_view> Runtime::exportedSymbols() {
  std::vector<std::string_view> v;
  for (const auto &s : detail::kSymbols) v.push_back(s.name);
  return v;
}

}  // namespace spine::nicrt
