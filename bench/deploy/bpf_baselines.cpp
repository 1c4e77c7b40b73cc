// See bpf_baselines.h.
#include "bpf_baselines.h"

#ifdef SPINE_HAVE_LIBBPF
#include <bpf/libbpf.h>
#endif
#include <fcntl.h>
#include <spawn.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <fstream>

extern char **environ;

namespace spine::bench {
namespace {

constexpr long kBpfFsMagic = 0xcafe4a11;  // BPF_FS_MAGIC (linux/magic.h)

#ifdef SPINE_HAVE_LIBBPF
// libbpf's last warning, kept for the error message instead of printed on every run.
std::string gLibbpfLast;
int keepLibbpfMessage(enum libbpf_print_level level, const char *format, va_list args) {
  if (level == LIBBPF_DEBUG) return 0;
  char buf[512];
  int n = std::vsnprintf(buf, sizeof buf, format, args);
  gLibbpfLast = buf;
  while (!gLibbpfLast.empty() && gLibbpfLast.back() == '\n') gLibbpfLast.pop_back();
  return n;
}
#endif

std::string firstLine(const std::string &path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

}  // namespace

bool LibbpfLoader::openLoadClose(std::string &error) {
#ifndef SPINE_HAVE_LIBBPF
  error = "built without libbpf (libbpf-dev)";
  return false;
#else
  libbpf_set_print(keepLibbpfMessage);
  gLibbpfLast.clear();
  bpf_object *obj = bpf_object__open_mem(object_.data(), object_.size(), nullptr);
  if (!obj) {
    error = std::string("bpf_object__open_mem: ") + std::strerror(errno) + (gLibbpfLast.empty() ? "" : " (" + gLibbpfLast + ")");
    return false;
  }
  int err = bpf_object__load(obj);
  bpf_object__close(obj);
  if (err) {
    error = std::string("bpf_object__load: ") + std::strerror(-err) + (gLibbpfLast.empty() ? "" : " (" + gLibbpfLast + ")");
    return false;
  }
  return true;
#endif
}

std::string LibbpfLoader::probe() {
  if (object_.empty()) return "the XDP object is empty";
  std::string error;
  if (openLoadClose(error)) return {};
  if (error.find("Operation not permitted") != std::string::npos)
    return "loading BPF programs is not permitted here (needs CAP_BPF or root): " + error;
  return error;
}

bool BpftoolLoader::load(std::string &error) {
  std::string pin = bpffs_ + "/spine-deploy-bench-" + std::to_string(getpid()) + "-" + std::to_string(++runs_);
  std::string errPath = "/tmp/spine-deploy-bench-bpftool-" + std::to_string(getpid()) + ".err";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, errPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  const char *argv[] = {bpftool_.c_str(), "prog", "load", objectPath_.c_str(), pin.c_str(), "type", "xdp", nullptr};
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, bpftool_.c_str(), &actions, nullptr, const_cast<char *const *>(argv), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    error = "cannot run " + bpftool_ + ": " + std::strerror(rc);
    return false;
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (!ok) error = bpftool_ + " prog load failed: " + firstLine(errPath);
  unlink(pin.c_str());  // unpinning unloads the program (nothing else holds it)
  unlink(errPath.c_str());
  return ok;
}

std::string BpftoolLoader::probe() {
  struct statfs fs {};
  if (statfs(bpffs_.c_str(), &fs) != 0) return "cannot stat " + bpffs_ + ": " + std::strerror(errno);
  if (static_cast<long>(fs.f_type) != kBpfFsMagic)
    return "no bpf file system mounted at " + bpffs_ + " (mount -t bpf bpf " + bpffs_ +
           ", or pass --bpffs DIR of a mounted one); bpftool would mount one itself";
  std::string error;
  if (!load(error)) return error;
  return {};
}

}  // namespace spine::bench
