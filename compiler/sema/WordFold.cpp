#include "sema/WordFold.h"

namespace spx {

namespace {
uint64_t rotl(uint64_t x, int64_t n) {
  n &= 63;
  return n == 0 ? x : (x << n) | (x >> (64 - n));
}
uint64_t shift(uint64_t x, int64_t n) {
  if (n >= 64 || n <= -64) return 0;
  return n >= 0 ? x << n : x >> -n;
}
}  // namespace

std::optional<int64_t> foldWordCall(std::string_view proc, const std::vector<int64_t> &args, WordFoldError &error) {
  error = WordFoldError::None;
  auto u = [&](size_t i) { return static_cast<uint64_t>(args[i]); };
  auto s = [](uint64_t v) { return static_cast<int64_t>(v); };
  size_t n = args.size();
  if (n == 2) {
    if (proc == "Plus") return s(u(0) + u(1));
    if (proc == "Times") return s(u(0) * u(1));
    if (proc == "Minus") return s(u(0) - u(1));
    if (proc == "Divide" || proc == "Mod") {
      if (u(1) == 0) {
        error = WordFoldError::DivisionByZero;
        return std::nullopt;
      }
      return s(proc == "Divide" ? u(0) / u(1) : u(0) % u(1));
    }
    if (proc == "LT") return u(0) < u(1);
    if (proc == "LE") return u(0) <= u(1);
    if (proc == "GT") return u(0) > u(1);
    if (proc == "GE") return u(0) >= u(1);
    if (proc == "And") return s(u(0) & u(1));
    if (proc == "Or") return s(u(0) | u(1));
    if (proc == "Xor") return s(u(0) ^ u(1));
    if (proc == "Shift") return s(shift(u(0), args[1]));
    if (proc == "Rotate") return s(rotl(u(0), args[1]));
    if (proc == "LeftShift" || proc == "RightShift" || proc == "LeftRotate" || proc == "RightRotate") {
      if (args[1] < 0 || args[1] > 63) {
        error = WordFoldError::BitRange;
        return std::nullopt;
      }
      if (proc == "LeftShift") return s(u(0) << args[1]);
      if (proc == "RightShift") return s(u(0) >> args[1]);
      if (proc == "LeftRotate") return s(rotl(u(0), args[1]));
      return s(rotl(u(0), -args[1]));
    }
  }
  if (n == 1 && proc == "Not") return s(~u(0));
  if (n == 3 && proc == "Extract") {
    int64_t i = args[1], w = args[2];
    if (i < 0 || w < 0 || i > 64 || w > 64 - i) {
      error = WordFoldError::BitRange;
      return std::nullopt;
    }
    if (w == 0) return 0;
    uint64_t mask = w == 64 ? ~uint64_t{0} : (uint64_t{1} << w) - 1;
    return s((u(0) >> i) & mask);
  }
  if (n == 4 && proc == "Insert") {
    int64_t i = args[2], w = args[3];
    if (i < 0 || w < 0 || i > 64 || w > 64 - i) {
      error = WordFoldError::BitRange;
      return std::nullopt;
    }
    if (w == 0) return args[0];
    uint64_t mask = (w == 64 ? ~uint64_t{0} : (uint64_t{1} << w) - 1) << i;
    return s((u(0) & ~mask) | ((u(1) << i) & mask));
  }
  return std::nullopt;
}

}  // namespace spx
