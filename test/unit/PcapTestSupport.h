// Reading and writing captures with libpcap directly, to check what PcapPort writes and to make odd inputs.
#pragma once

#include <pcap/pcap.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace pcaptest {

struct Record {
  int64_t sec = 0;
  uint32_t nsec = 0;
  uint32_t caplen = 0, len = 0;
  std::vector<uint8_t> bytes;
  bool operator==(const Record&) const = default;
};

// Every record of `path`, timestamps at nanosecond precision; stops at the first error (error says it).
inline std::vector<Record> readAll(const std::string& path, std::string* error = nullptr) {
  char errbuf[PCAP_ERRBUF_SIZE] = "";
  pcap_t* p = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf);
  std::vector<Record> out;
  if (!p) {
    if (error) *error = errbuf;
    return out;
  }
  pcap_pkthdr* h;
  const u_char* data;
  int rc;
  while ((rc = pcap_next_ex(p, &h, &data)) == 1)
    out.push_back({h->ts.tv_sec, static_cast<uint32_t>(h->ts.tv_usec), h->caplen, h->len, {data, data + h->caplen}});
  if (rc == PCAP_ERROR && error) *error = pcap_geterr(p);
  pcap_close(p);
  return out;
}

// Writes `records` as a pcap file of link type `dlt` at the precision asked.
inline void writeAll(const std::string& path, const std::vector<Record>& records, int dlt = DLT_EN10MB,
                     bool nano = false) {
  pcap_t* dead = pcap_open_dead_with_tstamp_precision(dlt, 262144,
                                                      nano ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO);
  pcap_dumper_t* d = pcap_dump_open(dead, path.c_str());
  for (const Record& r : records) {
    pcap_pkthdr h{};
    h.ts.tv_sec = r.sec;
    h.ts.tv_usec = nano ? r.nsec : r.nsec / 1000;
    h.caplen = static_cast<uint32_t>(r.bytes.size());
    h.len = r.len ? r.len : h.caplen;
    pcap_dump(reinterpret_cast<u_char*>(d), &h, r.bytes.data());
  }
  pcap_dump_close(d);
  pcap_close(dead);
}

inline uint32_t magicOf(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  uint32_t magic = 0;
  in.read(reinterpret_cast<char*>(&magic), sizeof magic);
  return magic;  // host order: the files we write are in host order
}

// A directory of its own under the system's temporary directory, removed at the end of the test.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    static int n = 0;
    path = std::filesystem::temp_directory_path() /
           ("spine-ports-test-" + std::to_string(getpid()) + "-" + std::to_string(n++));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

}  // namespace pcaptest
