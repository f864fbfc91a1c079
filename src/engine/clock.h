#pragma once
// One injectable clock gives every check its deadline. Production uses the steady
// clock; tests can substitute a clock of their own.
#include <chrono>

namespace pgreach::engine {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Millis = std::chrono::milliseconds;

class ClockSource {
 public:
  virtual ~ClockSource() = default;
  virtual TimePoint now() const = 0;
};

class SteadyClockSource final : public ClockSource {
 public:
  TimePoint now() const override { return Clock::now(); }
};

inline long long millisBetween(TimePoint from, TimePoint to) {
  return std::chrono::duration_cast<Millis>(to - from).count();
}

}  // namespace pgreach::engine
