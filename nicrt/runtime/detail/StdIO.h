// The runtime's implementation of the IO and Log interfaces (stdlib/IO.spi, stdlib/Log.spi), with the value
// ABI of spine/abi.h: TEXT as a pointer to spx_text, INTEGER/CHAR/enumerations as int64_t.
#pragma once

#include <cstdint>

#include "spine/abi.h"

namespace spine::nicrt::detail {

extern "C" {
void spx_io_put(const struct spx_text *txt);
void spx_io_put_int(int64_t n);
void spx_io_put_char(int64_t ch);
void spx_log_put(const struct spx_text *txt);
void spx_log_put_int(int64_t n);
void spx_log_message(int64_t level, const struct spx_text *txt);
}

}  // namespace spine::nicrt::detail
