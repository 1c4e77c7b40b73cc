// A value of AllTypes.Everything (test/stubs/Inputs/AllTypes.spi) with every field away from its default and at
// the edges of its type, for the tests and seeds that send it through the generated stubs. Needs AllTypes.h.
#pragma once

#include <string>

#include "AllTypes.h"

namespace all_types_test {

inline spine_gen::AllTypes::Everything sample() {
  namespace at = spine_gen::AllTypes;
  at::Everything e;
  e.i = -1234567890123;
  e.c = 42;
  e.b = false;
  e.ch = '\377';
  e.hue = at::Color::Green;
  e.warm = at::Color::Green;
  e.digit = '7';
  e.s8 = -128;
  e.s16 = -129;
  e.s32 = -2147483647 - 1;
  e.wide = 0x100000000LL;
  e.name = std::string("nul\0inside", 10);
  e.colors.set(0).set(2);
  e.ports.set(0).set(63).set(64).set(199);
  e.p = {-1, 1};
  e.sq = {at::Point{1, 2}, at::Point{3, 4}};
  e.byColor = {7, 8, 9};
  e.grid = {{{{-129, 127}}, {{0, 1}}, {{2, 3}}}};
  e.header.mac = {1, 2, 3, 4, 5, 6};
  e.header.kind = 0x86DD;
  e.header.hi = 15;
  e.header.lo = 3;
  e.header.packed = 200;
  e.inner.depth = 3;
  e.inner.mood = at::Everything_inner_mood::Angry;
  e.class_ = at::Keyword::delete_;
  e.Everything_ = 5;
  e.Point = 6;
  return e;
}

}  // namespace all_types_test
