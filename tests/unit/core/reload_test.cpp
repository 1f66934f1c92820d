// Reload as the core sees it: the election resumes from its snapshot under the new
// configuration, and its effective priority comes from that configuration and the current
// facts, never from the old value.
#include <catch2/catch.hpp>

#include "scenario.hpp"

using namespace redkeep;
using namespace redkeep::test;
using net::vrrp::State;

namespace {

/// A Backup following 192.0.2.12 (150), its Redis report `h`, at configured priority `p`.
CoreDriver cold(std::uint8_t p, const core::RedisHealth& h) {
  CoreDriver d(recipe_instance(p));
  d.feed(core::Wired{true, true, true, true});
  d.hear("192.0.2.12", 150);
  d.report(h);
  return d;
}

/// `d` reloaded with configured priority `p`: a new core resumes from its snapshot (what the
/// supervisor does), then takes the next report `h` and advert.
CoreDriver reloaded(const CoreDriver& d, std::uint8_t p, const core::RedisHealth& h) {
  CoreDriver next(recipe_instance(p));
  next.now = d.now;
  next.resume(d.core().snapshot());
  next.feed(core::Wired{false, true, true, true});
  next.hear("192.0.2.12", 150);
  next.report(h);
  return next;
}

}  // namespace

TEST_CASE(
    "after a sequence of reloads the priority is what a cold start with the last file "
    "gives, with the same facts",
    "[core][reload]") {
  SECTION("eligible") {
    const auto h = redis_replica("192.0.2.12");
    auto d = cold(100, h);
    for (std::uint8_t p : {120, 90, 110}) {
      d = reloaded(d, p, h);
      CHECK(d.priority() == p);
      CHECK(d.state() == State::backup);
    }
    CHECK(d.priority() == cold(110, h).priority());
  }
  SECTION("not eligible (its Redis LOADING): the floor whatever the file says") {
    auto h = redis_replica("192.0.2.12");
    h.loading = true;
    auto d = cold(100, h);
    for (std::uint8_t p : {120, 90, 110}) {
      d = reloaded(d, p, h);
      CHECK(d.priority() == net::vrrp::kFloorPriority);
    }
    CHECK(d.priority() == cold(110, h).priority());
    h.loading = false;
    d.report(h);
    CHECK(d.priority() == 110);
  }
}

TEST_CASE(
    "a Master reloaded with another priority and VRID stays Master and advertises the new "
    "priority at once",
    "[core][reload]") {
  auto d = serving_master();
  auto in = recipe_instance(170, true);
  in.virtual_router_id = 52;
  CoreDriver next(in);
  next.now = d.now;
  next.resume(d.core().snapshot());
  next.feed(core::Wired{false, true, true, true});
  next.report(redis_master());
  next.advance(1ms);  // the resumed Master's Adver_Timer is due at once
  CHECK(next.state() == State::master);
  CHECK(next.core().vip_held());
  REQUIRE_FALSE(next.adverts().empty());
  CHECK(next.adverts().front() == 170);
  CHECK(next.logs(core::LogKind::state_change).empty());
}
