// Resolving a packet handle an extension passed to a runtime procedure (PacketRuntime.cpp), shared with the other
// runtime procedures that take a packet (Peer.Forward).
#pragma once

#include <cstdint>

#include "detail/PacketContext.h"

namespace spine::nicrt::detail {

// The buffer `p` names, held by the running extension; traps at `site` otherwise (NIL, or a handle used after
// send or drop, or one the extension does not hold). Never returns on a trap; call it before anything with a
// destructor exists in the caller.
PacketBuffer &resolveHeldPacket(PacketContext *ctx, void *p, uint32_t site);

}  // namespace spine::nicrt::detail
