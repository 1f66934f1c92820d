// The health check's schedule on a virtual clock: a fixed grid, a check asked for at once,
// no burst after falling behind, and the wait handed to poll().
#include "core/check_schedule.hpp"

#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using redkeep::core::CheckSchedule;

TEST_CASE("CheckSchedule: checks on a fixed grid, at once when asked", "[core][health]") {
  const CheckSchedule::Clock::time_point t0{};
  CheckSchedule s(1s);
  s.due_now(t0);
  CHECK(s.due(t0));
  s.checked(t0 + 30ms);  // a check that started a little late keeps the grid
  CHECK_FALSE(s.due(t0 + 999ms));
  CHECK(s.due(t0 + 1s));
  CHECK(s.wait(t0 + 500ms, 200ms) == 200ms);
  CHECK(s.wait(t0 + 900ms, 200ms) == 101ms);
  s.due_now(t0 + 950ms);  // the election asks
  CHECK(s.due(t0 + 950ms));
}

TEST_CASE("CheckSchedule: a check that fell behind starts the grid anew", "[core][health]") {
  const CheckSchedule::Clock::time_point t0{};
  CheckSchedule s(1s);
  s.due_now(t0);
  s.checked(t0 + 5s);  // the host stalled for 5 s: no burst of four checks to catch up
  CHECK_FALSE(s.due(t0 + 5s + 999ms));
  CHECK(s.due(t0 + 6s));
}
