#include "diag/Diagnostics.h"

#include <algorithm>
#include <ostream>

namespace spx {
namespace {

struct DiagInfo {
  const char *name;
  Severity severity;
  const char *format;
};

constexpr DiagInfo kDiagTable[] = {
#define DIAG(ID, SEVERITY, FORMAT) {#ID, Severity::SEVERITY, FORMAT},
#include "diag/Diagnostics.def"
#undef DIAG
};

const char *const kReset = "\033[0m";
const char *const kBold = "\033[1m";
const char *const kRed = "\033[1;31m";
const char *const kMagenta = "\033[1;35m";
const char *const kGreen = "\033[1;32m";
const char *const kBlack = "\033[1;30m";

}  // namespace

Severity severityOf(DiagId id) { return kDiagTable[static_cast<size_t>(id)].severity; }
const char *formatOf(DiagId id) { return kDiagTable[static_cast<size_t>(id)].format; }
const char *nameOf(DiagId id) { return kDiagTable[static_cast<size_t>(id)].name; }

void DiagnosticsEngine::emit(DiagId id, SourceRange range, std::string message) {
  Severity sev = severityOf(id);
  if (sev >= Severity::Error) ++errors_;
  else if (sev == Severity::Warning) ++warnings_;
  if (!sortBySource_) {
    deliver(id, range, std::move(message));
    return;
  }
  if (sev == Severity::Note && !pending_.empty()) {
    pending_.back().notes.push_back({id, sev, range, std::move(message)});
    return;
  }
  pending_.push_back({{id, sev, range, std::move(message)}, {}});
}

// Prints groups in source order: by file (in the order files were read), then by position; a diagnostic
// without a location comes first. The sort is stable, so equal positions keep the order of reporting.
void DiagnosticsEngine::flush() {
  auto key = [&](const Group &g) {
    if (!g.main.range.valid()) return std::pair<int64_t, uint32_t>(-1, 0);
    return std::pair<int64_t, uint32_t>(sm_.fileOf(g.main.range.begin).index, g.main.range.begin.offset);
  };
  // Sorted by (key, order of reporting): stable without std::stable_sort's temporary buffer.
  std::vector<size_t> order(pending_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    auto ka = key(pending_[a]), kb = key(pending_[b]);
    return ka != kb ? ka < kb : a < b;
  });
  std::vector<Group> groups;
  groups.reserve(order.size());
  for (size_t i : order) groups.push_back(std::move(pending_[i]));
  pending_.clear();
  for (Group &g : groups) {
    deliver(g.main.id, g.main.range, std::move(g.main.message));
    for (Diagnostic &n : g.notes) deliver(n.id, n.range, std::move(n.message));
  }
}

void DiagnosticsEngine::deliver(DiagId id, SourceRange range, std::string message) {
  Severity sev = severityOf(id);
  if (sev == Severity::Note) {
    if (lastSuppressed_) return;
  } else {
    lastSuppressed_ = printLimitHit_;
    if (printLimitHit_) return;
    if (sev >= Severity::Error) {
      if (errorLimit_ != 0 && printedErrors_ == errorLimit_) {
        printLimitHit_ = lastSuppressed_ = true;
        out_ << (color_ ? kRed : "") << "fatal error: " << (color_ ? kReset : "")
             << "too many errors emitted, stopping now [-ferror-limit=" << errorLimit_ << "]\n";
        return;
      }
      ++printedErrors_;
    }
  }
  if (keep_) records_.push_back({id, sev, range, message});

  if (range.valid()) {
    PresumedLoc p = sm_.presumed(range.begin);
    if (color_) out_ << kBold;
    out_ << p.file << ':' << p.line << ':' << p.column << ": ";
  } else {
    if (color_) out_ << kBold;
    out_ << "spinec: ";
  }
  const char *label = "note: ", *labelColor = kBlack;
  switch (sev) {
  case Severity::Note: break;
  case Severity::Warning: label = "warning: ", labelColor = kMagenta; break;
  case Severity::Error: label = "error: ", labelColor = kRed; break;
  case Severity::Fatal: label = "fatal error: ", labelColor = kRed; break;
  }
  if (color_) out_ << labelColor;
  out_ << label;
  if (color_) out_ << kReset << kBold;
  out_ << message;
  if (color_) out_ << kReset;
  out_ << '\n';
  if (range.valid()) printSnippet(range);
}

// Prints the source line and a caret under the start of the range with '~' under the rest of it (clipped to
// the first line). Tabs in the source are copied into the marker line so the caret lines up.
void DiagnosticsEngine::printSnippet(SourceRange range) {
  std::string_view line = sm_.lineText(range.begin);
  PresumedLoc p = sm_.presumed(range.begin);
  size_t col = p.column - 1;
  size_t len = 1;
  if (range.end.valid() && range.end.offset > range.begin.offset) len = range.end.offset - range.begin.offset;
  // A very long line (generated or minified code) is shown as a window around the range, marked with "...".
  constexpr size_t kMaxLine = 160, kContext = 60;
  std::string prefix, suffix;
  if (line.size() > kMaxLine) {
    col = std::min(col, line.size());
    size_t from = col > kContext ? col - kContext : 0;
    size_t to = std::min(line.size(), col + std::min<size_t>(len, kContext) + kContext);
    if (from > 0) prefix = "...";
    if (to < line.size()) suffix = "...";
    line = line.substr(from, to - from);
    col = col - from + prefix.size();
  }
  // Replace control characters so that binary input cannot garble the terminal.
  std::string shown = prefix + std::string(line) + suffix;
  for (char &c : shown)
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) c = ' ';
  out_ << shown << '\n';
  std::string marker;
  for (size_t i = 0; i < col && i < shown.size(); ++i) marker += shown[i] == '\t' ? '\t' : ' ';
  if (col > shown.size()) marker.append(col - shown.size(), ' ');
  marker += '^';
  size_t end = prefix.size() + line.size();
  size_t lastCol = std::min(col + len, std::max(end, col + 1));
  // A tab inside the range is copied, so the tildes after it stay under their characters on a terminal.
  for (size_t i = col + 1; i < lastCol; ++i) marker += i < shown.size() && shown[i] == '\t' ? '\t' : '~';
  if (color_) out_ << kGreen;
  out_ << marker;
  if (color_) out_ << kReset;
  out_ << '\n';
}

}  // namespace spx
