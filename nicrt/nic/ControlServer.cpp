// The control socket (ControlServer.h). Non-blocking throughout: a slow or silent client never stalls the NIC;
// a client that sends a line longer than kMaxLine, or more than kMaxClients connections, is refused.
#include "nic/ControlServer.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace spine::nicrt {
namespace {

constexpr size_t kMaxLine = 4096;
constexpr size_t kMaxClients = 16;

// Sends `text` with `passFd` (if not -1) as SCM_RIGHTS on its first byte; false if that first send failed.
bool sendWithFd(int fd, const std::string &text, int passFd) {
  struct iovec iov = {const_cast<char *>(text.data()), 1};
  alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  struct msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(c), &passFd, sizeof(int));
  for (int tries = 0; tries < 100; ++tries) {
    if (::sendmsg(fd, &msg, MSG_NOSIGNAL) == 1) return true;
    if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) return false;
  }
  return false;
}

void sendAll(int fd, const std::string &text) {
  size_t off = 0;
  while (off < text.size()) {
    ssize_t n = ::send(fd, text.data() + off, text.size() - off, MSG_NOSIGNAL);
    if (n > 0) {
      off += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      // The reply is bounded (a few KiB); wait for the client to read rather than drop part of it.
      fd_set w;
      FD_ZERO(&w);
      FD_SET(fd, &w);
      struct timeval tv = {1, 0};
      if (select(fd + 1, nullptr, &w, nullptr, &tv) <= 0) return;
      continue;
    }
    return;
  }
}

bool makeDirectories(const std::string &dir) {
  std::string at;
  for (size_t i = 0; i <= dir.size(); ++i) {
    if (i == dir.size() || (dir[i] == '/' && i > 0)) {
      at = dir.substr(0, i);
      if (mkdir(at.c_str(), 0700) != 0 && errno != EEXIST) return false;
    }
  }
  return true;
}

}  // namespace

std::string ControlServer::defaultPath(const std::string &nicName) {
  const char *xdg = std::getenv("XDG_RUNTIME_DIR");
  std::string dir = xdg && *xdg ? std::string(xdg) + "/spine" : std::string("/run/spine");
  return dir + "/" + nicName + ".sock";
}

std::unique_ptr<ControlServer> ControlServer::listen(const std::string &path, Handler handler, std::string &error) {
  sockaddr_un addr{};
  if (path.size() >= sizeof addr.sun_path) {
    error = "control socket path " + path + " is longer than " + std::to_string(sizeof addr.sun_path - 1) + " bytes";
    return nullptr;
  }
  size_t slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0 && !makeDirectories(path.substr(0, slash))) {
    error = "cannot create the directory of control socket " + path + ": " + std::strerror(errno);
    return nullptr;
  }
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = std::string("cannot make the control socket: ") + std::strerror(errno);
    return nullptr;
  }
  // Bound and made private under a temporary name in the same directory, then renamed: the path appears only
  // once it accepts connections and only its owner may use it (a client that sees the path never gets
  // "connection refused", and nobody else ever could connect). Bound in place if that name would be too long.
  std::string staging = (slash == std::string::npos ? std::string() : path.substr(0, slash + 1)) + ".spine-nic-" +
                        std::to_string(::getpid()) + ".tmp";
  if (staging.size() >= sizeof addr.sun_path) staging = path;
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, staging.c_str(), staging.size() + 1);
  ::unlink(staging.c_str());
  if (::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0 || ::chmod(staging.c_str(), 0600) != 0 ||
      ::listen(fd, 8) != 0 || (staging != path && ::rename(staging.c_str(), path.c_str()) != 0)) {
    error = "cannot listen on control socket " + path + ": " + std::strerror(errno);
    ::unlink(staging.c_str());
    ::close(fd);
    return nullptr;
  }
  return std::unique_ptr<ControlServer>(new ControlServer(path, fd, std::move(handler)));
}

ControlServer::ControlServer(std::string path, int fd, Handler handler)
    : path_(std::move(path)), fd_(fd), handler_(std::move(handler)) {}

ControlServer::~ControlServer() {
  for (Client &c : clients_) ::close(c.fd);
  ::close(fd_);
  ::unlink(path_.c_str());
}

void ControlServer::poll() {
  for (;;) {
    int c = ::accept4(fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (c < 0) break;
    if (clients_.size() >= kMaxClients) {
      sendAll(c, "error: too many control connections\n.\n");
      ::close(c);
      continue;
    }
    clients_.push_back({c, nextClient_++, {}});
  }
  for (size_t i = 0; i < clients_.size();) {
    if (serve(clients_[i])) {
      ++i;
    } else {
      ::close(clients_[i].fd);
      uint64_t gone = clients_[i].id;
      clients_.erase(clients_.begin() + static_cast<std::ptrdiff_t>(i));
      if (disconnect_) disconnect_(gone);
    }
  }
}

bool ControlServer::serve(Client &c) {
  char buf[1024];
  for (;;) {
    ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
    if (n == 0) return false;
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
    c.pending.append(buf, static_cast<size_t>(n));
    size_t nl;
    while ((nl = c.pending.find('\n')) != std::string::npos) {
      std::string line = c.pending.substr(0, nl);
      c.pending.erase(0, nl + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      Reply r = handler_(line, c.id);
      std::string reply;
      for (const std::string &l : r.lines) reply += l + "\n";
      reply += ".\n";
      if (r.fd >= 0) {
        if (!sendWithFd(c.fd, reply, r.fd)) return false;
        reply.erase(0, 1);
      }
      sendAll(c.fd, reply);
    }
    if (c.pending.size() > kMaxLine) {
      sendAll(c.fd, "error: command longer than " + std::to_string(kMaxLine) + " bytes\n.\n");
      return false;
    }
  }
}

}  // namespace spine::nicrt
