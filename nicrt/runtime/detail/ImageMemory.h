// The JITLink plugin that records where each image's data and constants were placed (ImageMemory.cpp).
#pragma once

#include <memory>

#include "detail/RuntimeImpl.h"

namespace spine::nicrt::detail {

// Appends the blocks of the image being linked to *rt.linkedMemory (when set).
std::shared_ptr<llvm::orc::ObjectLinkingLayer::Plugin> makeImageMemoryRecorder(Runtime::Impl &rt);

}  // namespace spine::nicrt::detail
