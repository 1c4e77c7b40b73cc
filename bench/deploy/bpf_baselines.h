// The deploy benchmark's BPF baselines: the XDP twin of counter.spx loaded by libbpf in this process, and by
// `bpftool prog load` as a separate process. Each says why it cannot run here instead of failing.
#pragma once

#include <string>

namespace spine::bench {

// libbpf: bpf_object__open_mem + bpf_object__load (map creation, BTF, the kernel verifier) + bpf_object__close.
class LibbpfLoader {
 public:
  explicit LibbpfLoader(std::string object) : object_(std::move(object)) {}
  // Loads once; empty if that worked, else the reason to skip ("loading BPF programs is not permitted: ...").
  std::string probe();
  // One timed deploy; returns false (and sets error) if it failed.
  bool openLoadClose(std::string &error);

 private:
  std::string object_;  // the object file's bytes
};

// bpftool prog load OBJ PIN type xdp, as a child process; the pin is removed after each run (not timed).
class BpftoolLoader {
 public:
  BpftoolLoader(std::string bpftool, std::string objectPath, std::string bpffs)
      : bpftool_(std::move(bpftool)), objectPath_(std::move(objectPath)), bpffs_(std::move(bpffs)) {}
  // Empty if `bpffs` is a mounted bpf file system and one load works, else the reason to skip.
  std::string probe();
  // Runs the command once; returns false (and sets error) if it failed.
  bool load(std::string &error);

 private:
  std::string bpftool_, objectPath_, bpffs_;
  unsigned runs_ = 0;
};

}  // namespace spine::bench
