// An extension after loading: its output buffer, trap reports, symbol lookup and unloading.
#include <cinttypes>
#include <cstdio>

#include "detail/ExtensionImpl.h"
#include "detail/RuntimeImpl.h"

namespace spine::nicrt {

std::string Outcome::message() const {
  char buf[64];
  switch (status) {
    case Status::Ok:
      return "ok";
    case Status::ExceptionEscaped:
      std::snprintf(buf, sizeof buf, "%p", exception);
      return std::string("exception escaped from the extension (spx.state.exc = ") + buf + ")";
    case Status::Trapped:
      break;
  }
  std::string where;
  if (!file.empty()) {
    where.append(file).append(":").append(std::to_string(line));
  } else if (site == SPX_SITE_UNKNOWN) {
    where = "<a runtime procedure called through a procedure value>";
  } else {
    where = "<trap site " + std::to_string(site) + ">";
  }
  return where + ": checked runtime error: " + std::string(what());
}

void Extension::Impl::write(std::string_view text) {
  // Complete lines go on at once. A partial line is held back, so that IO.Put("a"); IO.Put("b\n") reaches the
  // sink as one line, but only up to kMaxPartialLine bytes: an extension that never ends a line must not grow
  // the runtime's memory (the text itself is the extension's constant, already in memory).
  size_t lastNewline = text.rfind('\n');
  if (lastNewline != std::string_view::npos) {
    std::string_view lines = text.substr(0, lastNewline + 1);
    if (pendingOutput.size() + lines.size() <= kMaxPartialLine) {
      pendingOutput.append(lines);
      flushOutput();
    } else {
      flushOutput();
      (*sink)(lines);
    }
    text.remove_prefix(lastNewline + 1);
  }
  if (pendingOutput.size() + text.size() > kMaxPartialLine) {
    flushOutput();
    if (text.size() > kMaxPartialLine) {
      (*sink)(text);
      return;
    }
  }
  pendingOutput.append(text);
}

void Extension::Impl::writeLine(std::string_view line) {
  if (!pendingOutput.empty()) flushOutput();
  (*sink)(line);
}

void Extension::Impl::flushOutput() {
  if (pendingOutput.empty()) return;
  (*sink)(pendingOutput);
  pendingOutput.clear();
}

void Extension::Impl::describeSite(Outcome &outcome) const {
  if (outcome.site >= image.sites.size()) return;
  const image::TrapSite &s = image.sites[outcome.site];
  if (s.file < image.files.size()) outcome.file = image.files[s.file];
  outcome.line = s.line;
  outcome.column = s.column;
}

Extension::Extension(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) { ++impl_->runtime->liveExtensions; }

Extension::~Extension() {
  impl_->flushOutput();
  impl_->code.reset();  // unmaps the code and data (and unregisters them from the debugger)
  --impl_->runtime->liveExtensions;
}

const std::string &Extension::module() const { return impl_->image.manifest.module; }
const image::Image &Extension::image() const { return impl_->image; }
Limits &Extension::limits() { return impl_->limits; }
void Extension::setInvocationBytes(void *data, size_t size) { impl_->setInvocationBytes(data, size); }
size_t Extension::heapUsed() const { return impl_->heap.used(); }
int64_t Extension::fuelLeft() const { return impl_->state->fuel; }

Outcome Extension::runInit() {
  return invoke(impl_->init);
}

void *Extension::lookup(std::string_view symbol) const { return impl_->code->symbol(symbol); }

}  // namespace spine::nicrt
