// spine::host::Nic in-process: the NIC core is a thread of this program, polling the ports and the host channel.
// Every management call (deploy, list, ...) is handed to that thread and runs between two packets, as spine-nic
// runs its control commands, so the NIC is only ever touched by its core (nic/Nic.h).
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <sstream>
#include <thread>

#include "NicSupport.h"
#include "image/ImageFile.h"
#include "image/ImageReader.h"
#include "image/Keys.h"
#include "nic/CoreIdle.h"
#include "nic/HostChannel.h"
#include "nic/Nic.h"
#include "nic/NicReport.h"
#include "ports/PortSpec.h"
#include "spine/host/HostRegion.h"
#include "spine/host/Nic.h"

namespace spine::host {
namespace {

nicrt::FaultPolicy toNicrt(FaultPolicy p) {
  switch (p) {
    case FaultPolicy::Restart: return nicrt::FaultPolicy::Restart;
    case FaultPolicy::Keep: return nicrt::FaultPolicy::Keep;
    case FaultPolicy::Unload: break;
  }
  return nicrt::FaultPolicy::Unload;
}

class InProcessNic final : public Nic {
 public:
  explicit InProcessNic(const InProcessOptions &o) : name_(o.name) {
    for (const std::string &path : o.trustedKeys) trust(path);
    nicrt::NicOptions options;
    options.debuggerSupport = true;
    if (o.fuel) options.limits.fuel = static_cast<int64_t>(o.fuel);
    if (o.heapBytes) options.limits.heapBytes = o.heapBytes;
    // What extensions write (IO, Log) is kept for logs(), the last kLogLines lines.
    options.output = [this](std::string_view text) {
      std::lock_guard<std::mutex> lock(logsMutex_);
      std::istringstream lines{std::string(text)};
      for (std::string line; std::getline(lines, line);) {
        logs_.push_back(line);
        if (logs_.size() > kLogLines) logs_.pop_front();
      }
    };
    nic_ = std::make_unique<nicrt::Nic>(options);
    for (const std::string &spec : o.ports) {
      std::string error;
      std::unique_ptr<nicrt::Port> port = nicrt::openPort(spec, error);
      if (!port) throw NicError("port " + spec + ": " + error);
      if (nic_->addPort(std::move(port)) == UINT32_MAX) throw NicError("port " + spec + ": a NIC has at most 16 ports");
    }
    std::string error;
    channel_ = nicrt::HostChannel::create(o.requestSlots, o.replySlots, o.bufferBytes, error);
    if (!channel_) throw NicError(error);
    nic_->attachHostChannel(channel_.get());
    nic_->setHostAttached(true);
    region_ = HostRegion::attach(channel_->region(), channel_->regionBytes(), error);
    if (!region_) throw NicError(error);
    core_ = std::thread([this] { runCore(); });
  }

  ~InProcessNic() override {
    region_.reset();  // the host's end first: its receive thread stops, pending calls fail
    stop_ = true;
    channel_->wake();
    core_.join();
  }

  std::uint32_t deploy(const std::string &path, FaultPolicy policy) override {
    std::string bytes, error;
    if (!image::readImageFile(path, bytes, error)) throw DeployError(error, {error});
    std::vector<image::PublicKey> trusted;
    {
      std::lock_guard<std::mutex> lock(trustMutex_);
      trusted = trusted_;
    }
    image::ReadResult read = image::readImage(bytes, trusted);
    if (!read.ok()) throw DeployError(path + ": image refused: " + read.error, {read.error});
    nicrt::DeployOptions d;
    d.faultPolicy = toNicrt(policy);
    nicrt::DeployResult r = onCore([&] { return nic_->deploy(*read.image, d); });
    if (!r) throw DeployError(path + ": image refused: " + r.error, detail::splitLines(r.error));
    return r.id;
  }

  void unload(std::uint32_t id) override {
    if (!onCore([&] { return nic_->unload(id); }))
      throw NoSuchExtension("no extension with id " + std::to_string(id) + " on NIC " + name_);
  }

  std::vector<ExtensionStatus> list() override {
    return detail::parseExtensionLines(onCore([&] { return nicrt::extensionLines(*nic_); }));
  }
  std::vector<FaultReport> faults() override {
    return detail::parseFaultLines(onCore([&] { return nicrt::faultLines(*nic_); }));
  }
  std::vector<std::string> counters() override {
    return onCore([&] { return nicrt::counterLines(name_, *nic_); });
  }
  std::vector<std::string> logs(std::size_t lines) override {
    std::lock_guard<std::mutex> lock(logsMutex_);
    std::size_t from = logs_.size() > lines ? logs_.size() - lines : 0;
    return std::vector<std::string>(logs_.begin() + static_cast<std::ptrdiff_t>(from), logs_.end());
  }
  void trust(const std::string &publicKeyPath) override {
    std::string error;
    auto key = image::readPublicKey(publicKeyPath, error);
    if (!key) throw NicError("trusted key " + publicKeyPath + ": " + error);
    std::lock_guard<std::mutex> lock(trustMutex_);
    trusted_.push_back(*key);
  }
  Channel &channel(std::uint32_t id) override { return region_->channel(id); }
  HostRegion &region() override { return *region_; }
  std::uint32_t addPort(const std::string &spec) override {
    std::string error;
    std::unique_ptr<nicrt::Port> port = nicrt::openPort(spec, error);
    if (!port) throw NicError("port " + spec + ": " + error);
    std::uint32_t n = onCore([&] { return nic_->addPort(std::move(port)); });
    if (n == UINT32_MAX) throw NicError("port " + spec + ": a NIC has at most 16 ports");
    return n;
  }
  const std::string &name() const override { return name_; }

 private:
  static constexpr std::size_t kLogLines = 1000;

  // Runs `f` on the NIC core, between two packets, and returns its result.
  template <class F>
  auto onCore(F f) -> decltype(f()) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto result = task.get_future();
    {
      std::lock_guard<std::mutex> lock(tasksMutex_);
      tasks_.emplace_back([&task] { task(); });
      hasTasks_.store(true);  // seq_cst: the core checks it after setting its doorbell (HostChannel::sleep)
    }
    channel_->wake();
    return result.get();
  }

  void runTasks() {
    std::deque<std::function<void()>> run;
    {
      std::lock_guard<std::mutex> lock(tasksMutex_);
      run.swap(tasks_);
      hasTasks_.store(false, std::memory_order_release);
    }
    for (auto &t : run) t();
  }

  // The NIC core: tasks, then a round of packets and host requests; when idle it waits as spine-nic does
  // (nicrt/nic/CoreIdle.h), and a task wakes it as a request does.
  void runCore() {
    nicrt::CoreIdle idle;
    const std::function<bool()> awake = [this] { return stop_.load() || hasTasks_.load(); };  // built once
    while (!stop_.load(std::memory_order_acquire)) {
      if (hasTasks_.load(std::memory_order_acquire)) runTasks();
      if (nic_->poll()) {
        idle.busy();
        continue;
      }
      idle.idle(*nic_, *channel_, awake);
    }
    runTasks();  // none is left waiting
    nic_->flush();  // what the ports wrote reaches their files (pcap outputs) before the NIC goes
  }

  std::string name_;
  std::mutex trustMutex_;
  std::vector<image::PublicKey> trusted_;
  std::mutex logsMutex_;
  std::deque<std::string> logs_;
  std::unique_ptr<nicrt::Nic> nic_;
  std::unique_ptr<nicrt::HostChannel> channel_;
  std::unique_ptr<HostRegion> region_;
  std::mutex tasksMutex_;
  std::deque<std::function<void()>> tasks_;
  std::atomic<bool> hasTasks_{false}, stop_{false};
  std::thread core_;
};

}  // namespace

std::unique_ptr<Nic> Nic::inProcess(const InProcessOptions &options) {
  return std::make_unique<InProcessNic>(options);
}

Nic::~Nic() = default;

}  // namespace spine::host
