#include <catch2/catch.hpp>

#include "actors/supervisor.hpp"

using namespace std::chrono_literals;
using redkeep::actors::restart_delay;
using redkeep::actors::RestartPolicy;

TEST_CASE("the first restart is immediate, later ones back off and cap", "[actors][supervisor]") {
  RestartPolicy p;  // 100 ms doubling, capped at 5 s
  CHECK(restart_delay(p, 1) == 0ms);
  CHECK(restart_delay(p, 2) == 100ms);
  CHECK(restart_delay(p, 3) == 200ms);
  CHECK(restart_delay(p, 4) == 400ms);
  CHECK(restart_delay(p, 10) == 5000ms);
  CHECK(restart_delay(p, 1000) == 5000ms);
}
