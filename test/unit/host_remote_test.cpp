// spine::host::Nic connected to a real spine-nic process: the stubs live across processes, and a NIC that dies
// in the middle of a call fails that call at once with a clear error instead of leaving it to its timeout.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <thread>

#include "AllTypes.h"
#include "AllTypesSample.h"

#include <spine/host/Nic.h>

extern char **environ;

using namespace spine;
namespace at = spine_gen::AllTypes;

namespace {

// spine-nic running in a fresh directory with AllTypesNic deployed (fault policy keep); killed (SIGKILL) when the
// test ends, if it has not been already.
struct NicProcess {
  std::string dir, socket;
  pid_t pid = -1;
  NicProcess() {
    char tmpl[] = "/tmp/spine-remote-XXXXXX";
    REQUIRE(::mkdtemp(tmpl));
    dir = tmpl;
    socket = dir + "/nic.sock";
    std::string images = SPINE_NIC_TEST_IMAGES;
    std::vector<std::string> args = {SPINE_NIC_BIN, "--name", "remote", "--control", socket, "--trust",
                                     images + "/test.pub", "--deploy", images + "/AllTypesNic.spxo",
                                     "--fault-policy", "keep",
                                     // A test run that crashes leaves no NIC behind (doctest runs tests on the
                                     // main thread, which lives as long as the run).
                                     "--exit-with", std::to_string(getpid())};
    std::vector<char *> argv;
    for (auto &a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, (dir + "/stderr.txt").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    REQUIRE(posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) == 0);
    posix_spawn_file_actions_destroy(&actions);
    for (int i = 0; i < 2000 && !std::filesystem::exists(socket); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    REQUIRE(std::filesystem::exists(socket));
  }
  void kill() {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
      pid = -1;
    }
  }
  ~NicProcess() {
    kill();
    std::filesystem::remove_all(dir);
  }
};

}  // namespace

TEST_CASE("remote Nic: the stubs drive an extension in a spine-nic process through its shared region") {
  NicProcess p;
  auto nic = host::Nic::connect(p.socket);
  std::vector<host::ExtensionStatus> list = nic->list();
  REQUIRE(list.size() == 1);
  at::AllTypesClient client(nic->channel(list[0].id));
  at::Everything e = all_types_test::sample();
  CHECK(client.Echo(e) == e);
  e.i = 4;
  CHECK_THROWS_AS(client.Echo(e), at::WithSet);
  std::vector<std::future<int64_t>> sums;
  for (int32_t i = 0; i < 1000; ++i) sums.push_back(client.SumAsync({i}, {}, {}));
  for (int32_t i = 0; i < 1000; ++i) CHECK(sums[static_cast<size_t>(i)].get() == i);
  CHECK(nic->list()[0].requests == 1002);
  // The channel is this connection's: another one is refused it, but may still manage the NIC.
  auto other = host::Nic::connect(p.socket);
  CHECK(other->list().size() == 1);
  CHECK_THROWS_AS(other->channel(1), host::NicError);
}

TEST_CASE("remote Nic: a NIC that dies mid-call fails the call at once with ChannelClosed, not a timeout") {
  NicProcess p;
  auto nic = host::Nic::connect(p.socket);
  at::AllTypesClient client(nic->channel(1));
  at::Everything e = all_types_test::sample();
  CHECK(client.Echo(e) == e);
  ::kill(p.pid, SIGSTOP);  // the NIC freezes: the next call stays pending until the NIC dies
  auto start = std::chrono::steady_clock::now();
  std::thread killer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    p.kill();
  });
  std::string what = "Echo returned";
  try {
    client.Echo(e, std::chrono::seconds(30));
  } catch (const host::ChannelClosed &x) {
    what = x.what();
  } catch (const std::exception &x) {
    what = std::string("unexpected: ") + x.what();
  }
  killer.join();
  CHECK_MESSAGE(what.find("the NIC went away") != std::string::npos, what);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
  CHECK_THROWS_AS(client.Nop(), host::ChannelClosed);  // and later calls fail fast too
  CHECK_THROWS_AS(nic->list(), host::NicUnreachable);
}
