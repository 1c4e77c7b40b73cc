// spine/wire.h, the C header of the message wire format: its helpers round-trip, and its header layout, kinds
// and limits are those docs/messages.md specifies (read from the document itself, so the two cannot drift).
#include "spine/wire.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>

namespace {

std::string readDoc() {
  std::ifstream in(std::string(SPINE_SOURCE_DIR) + "/docs/messages.md");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Field {
  unsigned offset, size;
};

// The rows "| offset | size | `field` | meaning |" of the header table in section 1.
std::map<std::string, Field> headerTable(const std::string &doc) {
  std::map<std::string, Field> fields;
  auto start = doc.find("| offset | size | field | meaning |");
  auto end = doc.find("\n\n", start);
  std::string table = doc.substr(start, end - start);
  std::regex row(R"(\| (\d+) \| (\d+) \| `(\w+)` \|)");
  for (std::sregex_iterator it(table.begin(), table.end(), row), last; it != last; ++it)
    fields[(*it)[3]] = Field{unsigned(std::stoul((*it)[1])), unsigned(std::stoul((*it)[2]))};
  return fields;
}

}  // namespace

TEST_CASE("wire: the header offsets and sizes are those of docs/messages.md") {
  auto fields = headerTable(readDoc());
  REQUIRE(fields.size() == 6);
  CHECK(fields["kind"].offset == SPINE_WIRE_KIND_OFFSET);
  CHECK(fields["kind"].size == 1);
  CHECK(fields["version"].offset == SPINE_WIRE_VERSION_OFFSET);
  CHECK(fields["version"].size == 1);
  CHECK(fields["index"].offset == SPINE_WIRE_INDEX_OFFSET);
  CHECK(fields["index"].size == 2);
  CHECK(fields["length"].offset == SPINE_WIRE_LENGTH_OFFSET);
  CHECK(fields["length"].size == 4);
  CHECK(fields["fingerprint"].offset == SPINE_WIRE_FINGERPRINT_OFFSET);
  CHECK(fields["fingerprint"].size == 8);
  CHECK(fields["callId"].offset == SPINE_WIRE_CALL_ID_OFFSET);
  CHECK(fields["callId"].size == 8);
  CHECK(fields["callId"].offset + fields["callId"].size == SPINE_WIRE_HEADER_SIZE);
}

TEST_CASE("wire: the kinds, the version and the limits are those of docs/messages.md") {
  std::string doc = readDoc();
  CHECK(doc.find("| 0 | 1 | `kind` | 1 Request, 2 Result, 3 Exception, 4 Trapped, 5 Rejected, 6 Event |") !=
        std::string::npos);
  CHECK(SPINE_WIRE_REQUEST == 1);
  CHECK(SPINE_WIRE_RESULT == 2);
  CHECK(SPINE_WIRE_EXCEPTION == 3);
  CHECK(SPINE_WIRE_TRAPPED == 4);
  CHECK(SPINE_WIRE_REJECTED == 5);
  CHECK(SPINE_WIRE_EVENT == 6);
  CHECK(doc.find("| 1 | 1 | `version` | " + std::to_string(SPINE_WIRE_VERSION) + " |") != std::string::npos);
  CHECK(doc.find("at most 2^24 (16 MiB)") != std::string::npos);
  CHECK(SPINE_WIRE_MAX_PAYLOAD == (1u << 24));
  CHECK(doc.find("u32 element count *n* (≤ 2^24)") != std::string::npos);
  CHECK(SPINE_WIRE_MAX_COUNT == (1u << 24));
  CHECK(doc.find("a message is exactly `24 + length` bytes") != std::string::npos);
}

TEST_CASE("wire: only Result, Exception, Trapped and Rejected are replies") {
  for (unsigned kind = 0; kind < 256; ++kind)
    CHECK_MESSAGE(spine_wire_is_reply(kind) == (kind >= 2 && kind <= 5), "kind ", kind);
}

TEST_CASE("wire: little-endian stores and loads round-trip at every width") {
  const std::uint64_t value = 0x8877665544332211ull;
  for (unsigned width = 1; width <= 8; ++width) {
    std::uint8_t bytes[9] = {};
    bytes[width] = 0xEE;  // must stay untouched
    spine_wire_store_le(bytes, value, width);
    CHECK(bytes[0] == 0x11);
    CHECK(bytes[width - 1] == 0x11 * width);
    CHECK(bytes[width] == 0xEE);
    std::uint64_t mask = width == 8 ? ~0ull : (1ull << (8 * width)) - 1;
    CHECK(spine_wire_load_le(bytes, width) == (value & mask));
  }
}

TEST_CASE("wire: the header of the AddRule example of docs/messages.md stores and loads back") {
  spine_wire_header h{};
  h.kind = SPINE_WIRE_REQUEST;
  h.version = SPINE_WIRE_VERSION;
  h.index = 0;
  h.length = 12;
  h.fingerprint = 0x0123456789ABCDEFull;
  h.call_id = 7;
  std::uint8_t bytes[SPINE_WIRE_HEADER_SIZE];
  spine_wire_header_store(bytes, &h);
  const std::uint8_t expected[SPINE_WIRE_HEADER_SIZE] = {0x01, 0x01, 0x00, 0x00, 0x0c, 0x00, 0x00, 0x00,
                                                         0xEF, 0xCD, 0xAB, 0x89, 0x67, 0x45, 0x23, 0x01,
                                                         0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  for (unsigned i = 0; i < SPINE_WIRE_HEADER_SIZE; ++i) CHECK_MESSAGE(bytes[i] == expected[i], "byte ", i);
  spine_wire_header back = spine_wire_header_load(bytes);
  CHECK(back.kind == h.kind);
  CHECK(back.version == h.version);
  CHECK(back.index == h.index);
  CHECK(back.length == h.length);
  CHECK(back.fingerprint == h.fingerprint);
  CHECK(back.call_id == h.call_id);
}

TEST_CASE("wire: the width of an ordinal is the smallest of 1, 2, 4, 8 bytes that holds its range") {
  static_assert(spine_wire_ordinal_width(0, 255) == 1, "usable in constant expressions (the C++ stubs need it)");
  CHECK(spine_wire_ordinal_width(0, 1) == 1);  // BOOLEAN
  CHECK(spine_wire_ordinal_width(0, 255) == 1);
  CHECK(spine_wire_ordinal_width(0, 256) == 2);
  CHECK(spine_wire_ordinal_width(0, 0xFFFF) == 2);
  CHECK(spine_wire_ordinal_width(0, 0x10000) == 4);
  CHECK(spine_wire_ordinal_width(0, 0xFFFFFFFFll) == 4);
  CHECK(spine_wire_ordinal_width(0, 0x100000000ll) == 8);
  CHECK(spine_wire_ordinal_width(0, INT64_MAX) == 8);  // CARDINAL
  CHECK(spine_wire_ordinal_width(-128, 127) == 1);
  CHECK(spine_wire_ordinal_width(-129, 0) == 2);
  CHECK(spine_wire_ordinal_width(-1, 128) == 2);
  CHECK(spine_wire_ordinal_width(-32768, 32767) == 2);
  CHECK(spine_wire_ordinal_width(-32769, 0) == 4);
  CHECK(spine_wire_ordinal_width(-2147483648ll, 2147483647ll) == 4);
  CHECK(spine_wire_ordinal_width(-2147483649ll, 0) == 8);
  CHECK(spine_wire_ordinal_width(INT64_MIN, INT64_MAX) == 8);  // INTEGER
  CHECK(spine_wire_ordinal_width(5, 4) == 8);                  // empty
}
