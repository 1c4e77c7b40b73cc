// Messages the runtime itself posts to the host for an extension (Host.Notify, Buffer.Notify): an Event of the
// runtime interface (docs/messages.md, "Messages of the runtime's interfaces"), framed here like a generated
// event. Counted in the extension's events or eventsRefused; never blocks, never traps.
#pragma once

#include <cstdint>
#include <span>

#include "detail/ExtensionImpl.h"

namespace spine::nicrt::detail {

bool postToHost(Extension::Impl &x, uint64_t fingerprint, uint16_t index, std::span<const uint8_t> payload) noexcept;

// The fingerprint of stdlib interface `name` this runtime was built with (the build generates them all).
uint64_t runtimeInterfaceFingerprint(const char *name) noexcept;

}  // namespace spine::nicrt::detail
