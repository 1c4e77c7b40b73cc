// spine-nic's control socket: a Unix stream socket that accepts one command per line and answers with lines
// ending in a line holding a single "." (docs/spine-nic.md lists the commands). It is polled by the dispatcher
// thread between packets, so every command acts between two events, like the NIC's own calls (nic/Nic.h).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace spine::nicrt {

class ControlServer {
 public:
  // Runs one command line (without its newline) and returns the reply lines (without the final ".").
  using Handler = std::function<std::vector<std::string>(const std::string &command)>;

  // Listens at `path` (an old socket file there is replaced; its directory is created, mode 0700). Null with
  // `error` set on failure.
  static std::unique_ptr<ControlServer> listen(const std::string &path, Handler handler, std::string &error);
  ~ControlServer();
  ControlServer(const ControlServer &) = delete;
  ControlServer &operator=(const ControlServer &) = delete;

  // Accepts connections and runs the complete command lines that have arrived; never blocks.
  void poll();
  const std::string &path() const { return path_; }

  // The default place: $XDG_RUNTIME_DIR/spine/NAME.sock, else /run/spine/NAME.sock.
  static std::string defaultPath(const std::string &nicName);

 private:
  struct Client {
    int fd;
    std::string pending;  // bytes of an incomplete line
  };
  ControlServer(std::string path, int fd, Handler handler);
  bool serve(Client &c);  // false when the client is gone

  std::string path_;
  int fd_ = -1;
  Handler handler_;
  std::vector<Client> clients_;
};

}  // namespace spine::nicrt
