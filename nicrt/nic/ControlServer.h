// spine-nic's control socket: a Unix stream socket that accepts one command per line and answers with lines
// ending in a line holding a single "." (docs/spine-nic.md lists the commands). It is polled by the dispatcher
// thread between packets, so every command acts between two events, like the NIC's own calls (nic/Nic.h).
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

namespace spine::nicrt {

class ControlServer {
 public:
  // The reply to one command: its lines (without the final "."), and a file descriptor to pass along with
  // them (SCM_RIGHTS), or -1. The descriptor stays the caller's.
  struct Reply {
    std::vector<std::string> lines;
    int fd = -1;
    Reply(std::vector<std::string> l = {}, int f = -1) : lines(std::move(l)), fd(f) {}
    Reply(std::initializer_list<std::string> l) : lines(l) {}
  };
  // Runs one command line (without its newline) from connection `client` (a number never reused).
  using Handler = std::function<Reply(const std::string &command, uint64_t client)>;
  using DisconnectHandler = std::function<void(uint64_t client)>;

  // Listens at `path` (an old socket file there is replaced; its directory is created, mode 0700). Null with
  // `error` set on failure.
  static std::unique_ptr<ControlServer> listen(const std::string &path, Handler handler, std::string &error);
  ~ControlServer();
  ControlServer(const ControlServer &) = delete;
  ControlServer &operator=(const ControlServer &) = delete;

  // Called once a connection has closed (what it held, such as the host channel, can go to another).
  void onDisconnect(DisconnectHandler h) { disconnect_ = std::move(h); }

  // Accepts connections and runs the complete command lines that have arrived; never blocks.
  void poll();
  const std::string &path() const { return path_; }

  // The default place: $XDG_RUNTIME_DIR/spine/NAME.sock, else /run/spine/NAME.sock.
  static std::string defaultPath(const std::string &nicName);

 private:
  struct Client {
    int fd;
    uint64_t id;
    std::string pending;  // bytes of an incomplete line
  };
  ControlServer(std::string path, int fd, Handler handler);
  bool serve(Client &c);  // false when the client is gone

  std::string path_;
  int fd_ = -1;
  Handler handler_;
  DisconnectHandler disconnect_;
  std::vector<Client> clients_;
  uint64_t nextClient_ = 1;
};

}  // namespace spine::nicrt
