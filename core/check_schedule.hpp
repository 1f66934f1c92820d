#pragma once
// When the local Redis's next health check is due: every check_interval on a fixed grid, at
// once when asked (the election wants a fresh answer), and a check that fell behind (Redis
// slow, the host stalled) starts the grid anew rather than firing a burst to catch up. Pure:
// time comes in as arguments.

#include <chrono>

namespace redkeep::core {

/// The health check's schedule.
class CheckSchedule {
 public:
  using Clock = std::chrono::steady_clock;

  /// `interval`: the redis block's check_interval. The first check is due at once.
  explicit CheckSchedule(Clock::duration interval) : interval_(interval) {}

  /// Makes a check due at `now` (a first check, or one asked for).
  void due_now(Clock::time_point now) { next_ = now; }
  /// Whether a check is due at `now`.
  bool due(Clock::time_point now) const { return now >= next_; }
  /// A check starts at `now`: the next one is one interval later on the grid, or one interval
  /// from `now` when the grid fell behind.
  void checked(Clock::time_point now);
  /// How long until the next check, at most `cap` and at least 1 ms when one is ahead
  /// (milliseconds: what poll() waits).
  std::chrono::milliseconds wait(Clock::time_point now, std::chrono::milliseconds cap) const;

 private:
  Clock::duration interval_;
  Clock::time_point next_{};
};

}  // namespace redkeep::core
