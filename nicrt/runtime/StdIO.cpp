// IO and Log for extensions. Both write to the runtime's output sink through the invoking extension's line
// buffer; nothing here can fail or trap (a NIL TEXT writes nothing).
#include <cinttypes>
#include <cstdio>

#include "detail/Invocation.h"
#include "detail/StdIO.h"

namespace spine::nicrt::detail {
namespace {

Extension::Impl *current() {
  Invocation *inv = currentInvocation();
  return inv ? inv->extension : nullptr;
}

std::string_view textOf(const spx_text *txt) {
  if (!txt || txt->length <= 0) return {};
  return {txt->chars, static_cast<size_t>(txt->length)};
}

std::string_view decimal(int64_t n, char (&buf)[24]) {
  int len = std::snprintf(buf, sizeof buf, "%" PRId64, n);
  return {buf, static_cast<size_t>(len)};
}

void logLine(std::string_view level, std::string_view text) {
  Extension::Impl *x = current();
  if (!x) return;
  std::string line;
  line.reserve(x->image.manifest.module.size() + level.size() + text.size() + 8);
  line.append("[").append(x->image.manifest.module).append("] ").append(level).append(": ");
  line.append(text).append("\n");
  x->writeLine(line);
}

}  // namespace

extern "C" {

void spx_io_put(const spx_text *txt) {
  if (Extension::Impl *x = current()) x->write(textOf(txt));
}

void spx_io_put_int(int64_t n) {
  char buf[24];
  if (Extension::Impl *x = current()) x->write(decimal(n, buf));
}

void spx_io_put_char(int64_t ch) {
  char c = static_cast<char>(static_cast<unsigned char>(ch));
  if (Extension::Impl *x = current()) x->write({&c, 1});
}

void spx_log_put(const spx_text *txt) { logLine("Info", textOf(txt)); }

void spx_log_put_int(int64_t n) {
  char buf[24];
  logLine("Info", decimal(n, buf));
}

void spx_log_message(int64_t level, const spx_text *txt) {
  // Log.Level = {Debug, Info, Warning, Error}
  static constexpr std::string_view kLevels[] = {"Debug", "Info", "Warning", "Error"};
  std::string_view name = level >= 0 && level < 4 ? kLevels[level] : std::string_view("Level?");
  logLine(name, textOf(txt));
}

}  // extern "C"
}  // namespace spine::nicrt::detail
