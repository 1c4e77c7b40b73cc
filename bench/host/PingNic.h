// A NIC runtime with bench/host/ping.spx deployed and a host channel whose host end is the bench itself, with
// nothing of the host runtime between: the bench writes Ping requests into the request ring and takes the
// replies out of the reply ring by hand (include/spine/ring.h, channel.h, wire.h). Who runs the NIC core is up to
// the bench: the same thread (Nic::poll after each request: the NIC's software alone) or a thread of its own
// (the NIC runtime's share of a round trip). Used by host_roundtrip_bench.cpp and path_cost_bench.cpp.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>

#include "Ping.h"
#include "image/ImageFile.h"
#include "image/ImageReader.h"
#include "image/Keys.h"
#include "nic/HostChannel.h"
#include "nic/Nic.h"
#include "spine/channel.h"
#include "spine/doorbell.h"
#include "spine/ring.h"
#include "spine/wire.h"

class PingNic {
 public:
  // Loads and deploys ping.spxo (signed with the bench's key); false, having said why, when it cannot.
  bool start() {
    namespace image = spine::image;
    std::string error, bytes;
    std::optional<image::PublicKey> key = image::readPublicKey(HOST_BENCH_KEY, error);
    if (!key || !image::readImageFile(std::string(HOST_BENCH_DIR) + "/ping.spxo", bytes, error))
      return fail(error);
    image::ReadResult read = image::readImage(bytes, {*key});
    if (!read.ok()) return fail("ping.spxo: " + read.error);
    spine::nicrt::NicOptions options;
    options.debuggerSupport = false;
    nic_ = std::make_unique<spine::nicrt::Nic>(options);
    spine::nicrt::DeployResult deployed = nic_->deploy(*read.image, {});
    if (!deployed) return fail(deployed.error);
    channel_ = spine::nicrt::HostChannel::create(1024, 4096, error);  // spine-nic's sizes
    if (!channel_) return fail(error);
    nic_->attachHostChannel(channel_.get());
    auto *base = static_cast<std::uint8_t *>(channel_->region());
    const spine_channel_header &layout = channel_->layout();
    const std::uint64_t bytesLeft = channel_->regionBytes();
    if (spine_ring_attach_producer(&requests_, base + layout.to_nic_offset, bytesLeft - layout.to_nic_offset) !=
            SPINE_RING_OK ||
        spine_ring_attach_consumer(&replies_, base + layout.to_host_offset, bytesLeft - layout.to_host_offset) !=
            SPINE_RING_OK)
      return fail("the host channel's rings do not attach");
    spine_channel_envelope_store(request_, deployed.id);
    spine_wire_header h{};
    h.kind = SPINE_WIRE_REQUEST;
    h.version = SPINE_WIRE_VERSION;
    h.index = 0;
    h.length = 8;
    h.fingerprint = spine_gen::Ping::kFingerprint;
    spine_wire_header_store(request_ + SPINE_CHANNEL_ENVELOPE, &h);
    return true;
  }

  spine::nicrt::Nic &nic() { return *nic_; }
  spine::nicrt::HostChannel &channel() { return *channel_; }

  // Ping(x) into the request ring (call id x + 1), waking the NIC core when it sleeps; waits while the ring is
  // full. False when the ring is broken (the NIC moved its index where no consumer can be).
  bool send(std::int64_t x) {
    spine_wire_store_le(request_ + SPINE_CHANNEL_ENVELOPE + SPINE_WIRE_CALL_ID_OFFSET, static_cast<std::uint64_t>(x) + 1, 8);
    spine_wire_store_le(request_ + SPINE_CHANNEL_ENVELOPE + SPINE_WIRE_HEADER_SIZE, static_cast<std::uint64_t>(x), 8);
    void *at = nullptr;
    int status;
    while ((status = spine_ring_reserve(&requests_, sizeof request_, &at)) == SPINE_RING_FULL) spine_ring_relax();
    if (status != SPINE_RING_OK) return false;
    std::memcpy(at, request_, sizeof request_);
    if (spine_ring_commit(&requests_)) spine_doorbell_ring(spine_ring_doorbell(requests_.ring));
    return true;
  }
  // Whether a reply is waiting (the cheapest look, as the runtime's pollers make).
  bool replyReady() const { return spine_ring_ready(&replies_); }
  // Takes the reply to Ping(x); false when there is none or it is not Result x + 1.
  bool takeReply(std::int64_t x) {
    const void *payload = nullptr;
    std::uint32_t length = 0;
    if (spine_ring_peek(&replies_, &payload, &length) != SPINE_RING_OK) return false;
    const auto *reply = static_cast<const std::uint8_t *>(payload) + SPINE_CHANNEL_ENVELOPE;
    bool right = length == sizeof request_ && reply[SPINE_WIRE_KIND_OFFSET] == SPINE_WIRE_RESULT &&
                 spine_wire_load_le(reply + SPINE_WIRE_CALL_ID_OFFSET, 8) == static_cast<std::uint64_t>(x) + 1 &&
                 spine_wire_load_le(reply + SPINE_WIRE_HEADER_SIZE, 8) == static_cast<std::uint64_t>(x) + 1;
    spine_ring_release(&replies_);
    return right;
  }

 private:
  static bool fail(const std::string &why) {
    std::fprintf(stderr, "bench: %s\n", why.c_str());
    return false;
  }

  // The NIC core's (read by its thread) and the host end's (written on each call by the bench's thread) on lines
  // of their own: sharing one would move it between the cores on every call.
  alignas(64) std::unique_ptr<spine::nicrt::Nic> nic_;
  std::unique_ptr<spine::nicrt::HostChannel> channel_;
  alignas(64) spine_ring_producer requests_{};
  alignas(64) spine_ring_consumer replies_{};
  alignas(64) std::uint8_t request_[SPINE_CHANNEL_ENVELOPE + SPINE_WIRE_HEADER_SIZE + 8] = {};
};
