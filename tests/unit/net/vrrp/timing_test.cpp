#include "net/vrrp/timing.hpp"

#include <catch2/catch.hpp>

using namespace redkeep::net::vrrp;
using std::chrono::microseconds;

TEST_CASE("v2 Skew_Time is (256 - priority)/256 s, whatever the interval", "[vrrp][timing]") {
  // RFC 3768 6.1; truncated to microseconds as keepalived's VRRP_TIMER_SKEW.
  CHECK(skew_time(Version::v2, 100, Centiseconds(100)) == microseconds(609'375));
  CHECK(skew_time(Version::v2, 100, Centiseconds(300)) == microseconds(609'375));
  CHECK(skew_time(Version::v2, 254, Centiseconds(100)) == microseconds(7'812));  // 7812.5
  CHECK(skew_time(Version::v2, 1, Centiseconds(100)) == microseconds(996'093));  // 996093.75
  CHECK(skew_time(Version::v2, 0, Centiseconds(100)) == microseconds(1'000'000));
}

TEST_CASE("v3 Skew_Time scales with Master_Adver_Interval", "[vrrp][timing]") {
  // RFC 5798 6.1: ((256 - priority) x Master_Adver_Interval) / 256.
  CHECK(skew_time(Version::v3, 100, Centiseconds(100)) == microseconds(609'375));
  CHECK(skew_time(Version::v3, 100, Centiseconds(10)) == microseconds(60'937));  // 60937.5
  CHECK(skew_time(Version::v3, 150, Centiseconds(50)) == microseconds(207'031));  // 207031.25
  CHECK(skew_time(Version::v3, 0, Centiseconds(25)) == microseconds(250'000));
}

TEST_CASE("Master_Down_Interval = 3 x Master_Adver_Interval + Skew_Time", "[vrrp][timing]") {
  CHECK(master_down_interval(Version::v2, 100, Centiseconds(100)) == microseconds(3'609'375));
  CHECK(master_down_interval(Version::v2, 150, Centiseconds(200)) ==
        microseconds(6'000'000 + 414'062));
  CHECK(master_down_interval(Version::v3, 100, Centiseconds(10)) == microseconds(360'937));
  // A higher priority always detects a dead master first.
  CHECK(master_down_interval(Version::v3, 150, Centiseconds(100)) <
        master_down_interval(Version::v3, 100, Centiseconds(100)));
}
