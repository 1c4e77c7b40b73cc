// spine::host::Nic connected to a spine-nic daemon: its control socket for management (one command per line,
// replies ending in "."; docs/spine-nic.md), and, once a channel is asked for, the host channel's region, whose
// memfd comes with the reply to "channel" (SCM_RIGHTS). The channel is taken only then, because one connection
// holds it at a time: a management tool (spinectl) never takes it from the application.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>

#include "NicSupport.h"
#include "nic/ControlServer.h"
#include "spine/host/HostRegion.h"
#include "spine/host/Nic.h"

namespace spine::host {
namespace {

const char *policyWord(FaultPolicy p) {
  switch (p) {
    case FaultPolicy::Restart: return "restart";
    case FaultPolicy::Keep: return "keep";
    case FaultPolicy::Unload: break;
  }
  return "unload";
}

class RemoteNic final : public Nic {
 public:
  RemoteNic(std::string name, std::string path) : name_(std::move(name)), path_(std::move(path)) {
    sockaddr_un addr{};
    if (path_.size() >= sizeof addr.sun_path) throw NicUnreachable("NIC " + name_ + ": socket path is too long: " + path_);
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path_.c_str(), path_.size() + 1);
    if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) {
      std::string why = std::strerror(errno);
      if (fd_ >= 0) ::close(fd_);
      throw NicUnreachable("no NIC named " + name_ + " is running (cannot connect to " + path_ + ": " + why + ")");
    }
    struct timeval tv = {30, 0};  // a NIC answers between two packets: a silent one is gone
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~RemoteNic() override {
    region_.reset();
    ::close(fd_);
  }

  std::uint32_t deploy(const std::string &path, FaultPolicy policy) override {
    std::error_code ec;
    std::filesystem::path absolute = std::filesystem::absolute(path, ec);  // the daemon has its own directory
    std::vector<std::string> reply = command("deploy " + (ec ? path : absolute.string()) + " " + policyWord(policy));
    if (reply.empty() || reply[0].rfind("ok: ", 0) != 0) {
      std::vector<std::string> reasons;
      for (size_t i = 1; i < reply.size(); ++i) reasons.push_back(reply[i].substr(reply[i].find_first_not_of(' ')));
      std::string first = reply.empty() ? "no reply" : reply[0].substr(reply[0].rfind("error: ", 0) == 0 ? 7 : 0);
      if (reasons.empty()) reasons.push_back(first);
      throw DeployError(first, reasons);
    }
    size_t at = reply[0].rfind(" as extension ");
    return static_cast<std::uint32_t>(std::stoul(reply[0].substr(at + 14)));
  }

  void unload(std::uint32_t id) override {
    std::vector<std::string> reply = command("unload " + std::to_string(id));
    if (reply.empty() || reply[0].rfind("ok: ", 0) != 0)
      throw NoSuchExtension("no extension with id " + std::to_string(id) + " on NIC " + name_);
  }
  std::vector<ExtensionStatus> list() override { return detail::parseExtensionLines(checked(command("list"))); }
  std::vector<FaultReport> faults() override { return detail::parseFaultLines(checked(command("faults"))); }
  std::vector<std::string> counters() override { return checked(command("counters")); }
  std::vector<std::string> logs(std::size_t lines) override { return checked(command("logs " + std::to_string(lines))); }
  void trust(const std::string &publicKeyPath) override { checked(command("trust " + publicKeyPath)); }

  Channel &channel(std::uint32_t id) override { return hostRegion().channel(id); }
  HostRegion &region() override { return hostRegion(); }
  std::uint32_t addPort(const std::string &spec) override {
    throw NicError("NIC " + name_ + ": spine-nic's ports are fixed at its start (--port); cannot add " + spec);
  }
  // The host channel's region, taken from spine-nic on first use.
  HostRegion &hostRegion() {
    std::lock_guard<std::mutex> lock(regionMutex_);
    if (!region_) {
      int fd = -1;
      std::vector<std::string> reply = command("channel", &fd);
      if (reply.empty() || reply[0].rfind("ok: ", 0) != 0 || fd < 0) {
        if (fd >= 0) ::close(fd);
        throw NicError("NIC " + name_ + ": " + (reply.empty() ? std::string("no reply to channel") : reply[0]));
      }
      std::string error;
      region_ = HostRegion::map(fd, error);
      if (!region_) throw NicError("NIC " + name_ + ": " + error);
      region_->watchLiveness(fd_);  // the control connection hangs up when spine-nic dies: calls fail at once
    }
    return *region_;
  }
  const std::string &name() const override { return name_; }

 private:
  // An error reply becomes a NicError; otherwise the lines.
  std::vector<std::string> checked(std::vector<std::string> reply) {
    if (!reply.empty() && reply[0].rfind("error: ", 0) == 0) throw NicError("NIC " + name_ + ": " + reply[0].substr(7));
    return reply;
  }

  // Sends one command and reads its reply lines (up to the "." line); `fd` receives a descriptor that came with it.
  std::vector<std::string> command(const std::string &line, int *fd = nullptr) {
    std::lock_guard<std::mutex> lock(mutex_);
    std::string out = line + "\n";
    if (::send(fd_, out.data(), out.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(out.size()))
      throw NicUnreachable("NIC " + name_ + " went away (" + path_ + ")");
    std::vector<std::string> lines;
    for (;;) {
      size_t nl;
      while ((nl = pending_.find('\n')) != std::string::npos) {
        std::string l = pending_.substr(0, nl);
        pending_.erase(0, nl + 1);
        if (l == ".") return lines;
        lines.push_back(l);
      }
      char buf[4096];
      alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
      iovec iov = {buf, sizeof buf};
      msghdr msg{};
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      msg.msg_control = control;
      msg.msg_controllen = sizeof control;
      ssize_t n = ::recvmsg(fd_, &msg, MSG_CMSG_CLOEXEC);
      if (n <= 0) throw NicUnreachable("NIC " + name_ + " went away (" + path_ + ")");
      for (cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
        int got = -1;
        std::memcpy(&got, CMSG_DATA(c), sizeof got);
        if (fd && *fd < 0) *fd = got;
        else ::close(got);
      }
      pending_.append(buf, static_cast<size_t>(n));
    }
  }

  std::string name_, path_;
  int fd_ = -1;
  std::mutex mutex_, regionMutex_;
  std::string pending_;
  std::unique_ptr<HostRegion> region_;
};

}  // namespace

std::string Nic::socketPath(const std::string &name) {
  return name.find('/') != std::string::npos ? name : nicrt::ControlServer::defaultPath(name);
}

std::unique_ptr<Nic> Nic::connect(const std::string &name) {
  return std::make_unique<RemoteNic>(name, socketPath(name));
}

}  // namespace spine::host
