// The supervisor's restart decision on a virtual clock: restart at once, back off, give up
// past the budget within the window, and forget failures older than the window.
#include "core/restart_budget.hpp"

#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using redkeep::core::RestartBudget;
using redkeep::core::RestartPolicy;

TEST_CASE("RestartBudget: restarts at once, backs off, gives up past the budget",
          "[core][supervisor]") {
  RestartPolicy p;  // 5 within 60 s, 100 ms doubling
  RestartBudget b;
  const RestartBudget::TimePoint t0{};
  auto v = b.failed(t0, p);
  CHECK_FALSE(v.give_up);
  CHECK(v.in_window == 1);
  CHECK(v.delay == 0ms);
  CHECK(b.failed(t0 + 1s, p).delay == 100ms);
  CHECK(b.failed(t0 + 2s, p).delay == 200ms);
  CHECK(b.failed(t0 + 3s, p).delay == 400ms);
  CHECK(b.failed(t0 + 4s, p).delay == 800ms);
  v = b.failed(t0 + 5s, p);
  CHECK(v.give_up);
  CHECK(v.in_window == 6);
  CHECK(b.total() == 6);
}

TEST_CASE("RestartBudget: failures older than the window no longer count", "[core][supervisor]") {
  RestartPolicy p;
  RestartBudget b;
  const RestartBudget::TimePoint t0{};
  for (int i = 0; i < 5; ++i) CHECK_FALSE(b.failed(t0 + i * 1s, p).give_up);
  // 61 s after the first: it has left the window, so this is the 5th within it.
  const auto v = b.failed(t0 + 61s, p);
  CHECK_FALSE(v.give_up);
  CHECK(v.in_window == 5);
  CHECK(b.total() == 6);
}
