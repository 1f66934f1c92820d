#include <catch2/catch.hpp>

#include "actors/supervisor.hpp"
#include "core/params.hpp"

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

TEST_CASE("the VIP lifetime outlasts Master_Down_Interval", "[actors][vip]") {
  redkeep::config::VrrpInstance in;
  in.advert_int_cs = 100;  // v2, 1 s: MDI < 4 s
  CHECK(redkeep::core::vip_lifetime_seconds(in) == 5);
  in.version = redkeep::config::VrrpVersion::v3;
  in.advert_int_cs = 10;  // v3, 0.1 s: MDI < 0.4 s
  CHECK(redkeep::core::vip_lifetime_seconds(in) == 2);
}
