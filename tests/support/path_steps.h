#pragma once
// Test helper: the step of a cloud path verdict by its component name; the test fails
// when the path has no such step.
#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>

#include "cloud/path_verdict.h"

namespace pgreach::testing {

inline const cloud::PathStep& step(const cloud::PathVerdict& v, const std::string& component) {
  for (const auto& s : v.steps) {
    if (s.component == component) return s;
  }
  FAIL("no step " << component);
  throw std::logic_error("unreachable");
}

}  // namespace pgreach::testing
