// Switchover as the core runs it: who may be a target, the catch-up and the
// takeover at priority 254, the abort paths, and how long 254 lasts.
#include "core/switchover.hpp"

#include <catch2/catch.hpp>

#include "scenario.hpp"

using namespace redkeep;
using namespace redkeep::test;
using net::vrrp::State;

namespace {

core::SwitchoverResult only_result(const CoreDriver& d) {
  const auto r = d.all<core::SwitchoverResult>();
  REQUIRE(r.size() == 1);
  return r[0];
}

/// Node 192.0.2.11 (priority 100, nopreempt, as in the recipe) following Master 192.0.2.12
/// (`master_priority`), its Redis a synced replica of it. Commands so far are cleared.
CoreDriver nopreempt_backup(std::uint8_t master_priority = 150) {
  auto in = recipe_instance(100);
  in.nopreempt = true;
  CoreDriver d(in);
  d.feed(core::Wired{true, true, true, true});
  d.hear("192.0.2.12", master_priority);
  d.report(redis_replica("192.0.2.12"));
  d.clear();
  return d;
}

/// nopreempt_backup() asked for a switchover, caught up: Master at 254.
CoreDriver switched_over() {
  auto d = nopreempt_backup();
  d.feed(core::SwitchoverStart{7, 5000ms});
  d.feed(core::CaughtUp{7, true, "offset 1000 of the Master's 1000"});
  REQUIRE(d.state() == State::master);
  d.clear();
  return d;
}

}  // namespace

TEST_CASE(
    "rule switchover_refused: a switchover target that is not an eligible, synced Backup "
    "refuses with the reason and pauses nothing",
    "[core][rules][switchover]") {
  SECTION("the Master itself") {
    auto d = serving_master();
    d.feed(core::SwitchoverStart{1, 5000ms});
    CHECK(only_result(d).detail == "this node is already Master");
  }
  SECTION("a Redis loading its data") {
    auto d = nopreempt_backup();
    auto h = redis_replica("192.0.2.12");
    h.loading = true;
    d.report(h);
    d.clear();
    d.feed(core::SwitchoverStart{1, 5000ms});
    CHECK(only_result(d).detail ==
          "this node is not eligible to be master: Redis is LOADING its data");
  }
  SECTION("a replica whose link to the Master is down") {
    auto d = nopreempt_backup();
    d.report(redis_replica("192.0.2.12", false));
    d.clear();
    d.feed(core::SwitchoverStart{1, 5000ms});
    CHECK_THAT(only_result(d).detail, Catch::Contains("not a synced replica of the Master"));
  }
  SECTION("no Master heard for Master_Down_Interval") {
    auto d = nopreempt_backup();
    d.stall(4s);
    d.feed(core::SwitchoverStart{1, 5000ms});
    CHECK(only_result(d).detail == "no Master is heard: nothing to switch over from");
  }
  SECTION("a second switchover while one runs") {
    auto d = nopreempt_backup();
    d.feed(core::SwitchoverStart{1, 5000ms});
    d.feed(core::SwitchoverStart{2, 5000ms});
    CHECK(only_result(d).id == 2);
    CHECK_THAT(only_result(d).detail, Catch::Contains("one at a time"));
  }
  SECTION("a Master at 254 that wins the address tie-break") {
    auto d = nopreempt_backup(254);
    d.feed(core::SwitchoverStart{1, 5000ms});
    CHECK_THAT(only_result(d).detail, Catch::Contains("wins the address tie-break"));
  }
  SECTION("without nopreempt") {
    auto d = following_backup();
    d.feed(core::SwitchoverStart{1, 5000ms});
    CHECK_THAT(only_result(d).detail, Catch::StartsWith("this instance has no nopreempt"));
  }
  SECTION("no redis block") {
    auto in = recipe_instance(100);
    in.redis.reset();
    CoreDriver d(in);
    d.feed(core::Wired{true, true, true, true});
    d.hear("192.0.2.12", 150);
    d.feed(core::SwitchoverStart{1, 5000ms});
    CHECK_THAT(only_result(d).detail, Catch::Contains("no redis block"));
  }
}

TEST_CASE("a refused switchover changes nothing and asks for no pause", "[core][switchover]") {
  auto d = serving_master();
  d.feed(core::SwitchoverStart{1, 5000ms});
  CHECK_FALSE(only_result(d).ok);
  CHECK(d.all<core::CatchUp>().empty());
  CHECK(d.all<core::AdvertOut>().empty());
  CHECK(d.state() == State::master);
  CHECK(d.logs(core::LogKind::switchover) ==
        std::vector<std::string>{"Switchover refused: this node is already Master"});
}

TEST_CASE(
    "rule switchover_takeover: a caught-up target takes Master at once with priority 254, "
    "its Redis promoted before the VIP, and answers when both are confirmed",
    "[core][rules][switchover]") {
  auto d = nopreempt_backup();
  d.feed(core::SwitchoverStart{7, 5000ms});
  const auto catch_up = d.all<core::CatchUp>();
  REQUIRE(catch_up.size() == 1);
  CHECK(catch_up[0].id == 7);
  CHECK(catch_up[0].master.address == ip("192.0.2.12"));
  CHECK(catch_up[0].master.port == 6379);
  CHECK(catch_up[0].timeout == 5000ms);
  // The pause covers the catch-up, Master_Down_Interval (3.609 s at priority 100) and 1 s.
  CHECK(catch_up[0].pause == 5000ms + 3609ms + 1000ms);
  CHECK(d.state() == State::backup);
  CHECK(d.all<core::AdvertOut>().empty());

  d.feed(core::CaughtUp{7, true, "offset 1000 of the Master's 1000"});
  CHECK(d.state() == State::master);
  REQUIRE_FALSE(d.adverts().empty());
  CHECK(d.adverts().front() == 254);
  const auto promote = d.index_of<core::RoleCommand>(
      [](const core::RoleCommand& r) { return !r.master.has_value(); });
  const auto vip_up = d.index_of<core::VipCommand>([](const core::VipCommand& v) { return v.up; });
  REQUIRE(promote >= 0);
  REQUIRE(vip_up > promote);
  const auto result = only_result(d);
  CHECK(result.ok);
  CHECK(d.index_of<core::SwitchoverResult>([](const auto&) { return true; }) > vip_up);
  const auto release = d.all<core::ReleasePause>();
  REQUIRE(release.size() == 1);
  CHECK(release[0].id == 7);
  CHECK(release[0].after_demotion);
}

TEST_CASE("a switchover whose catch-up fails changes nothing", "[core][switchover]") {
  auto d = nopreempt_backup();
  d.feed(core::SwitchoverStart{3, 1000ms});
  d.feed(core::CaughtUp{3, false, "its Redis did not catch up within 1000 ms; writes unpaused"});
  const auto r = only_result(d);
  CHECK_FALSE(r.ok);
  CHECK(r.detail ==
        "aborted, nothing changed: its Redis did not catch up within 1000 ms; writes "
        "unpaused");
  CHECK(d.state() == State::backup);
  CHECK(d.priority() == 100);
  CHECK(d.all<core::ReleasePause>().empty());  // the switchover actor lifted it already
  CHECK(d.all<core::AdvertOut>().empty());
  // A late answer of the same run is ignored; a new run may start.
  d.feed(core::CaughtUp{3, true, "late"});
  CHECK(d.state() == State::backup);
  d.clear();
  d.feed(core::SwitchoverStart{4, 1000ms});
  CHECK(d.all<core::CatchUp>().size() == 1);
}

TEST_CASE("a switchover is aborted when the target changed while it caught up, or never heard",
          "[core][switchover]") {
  SECTION("its Redis became unfit meanwhile") {
    auto d = nopreempt_backup();
    d.feed(core::SwitchoverStart{5, 1000ms});
    auto h = redis_replica("192.0.2.12");
    h.loading = true;
    d.report(h);
    d.clear();
    d.feed(core::CaughtUp{5, true, "offset 1000 of the Master's 1000"});
    CHECK_FALSE(only_result(d).ok);
    CHECK(d.state() == State::backup);
    const auto release = d.all<core::ReleasePause>();
    REQUIRE(release.size() == 1);
    CHECK_FALSE(release[0].after_demotion);
  }
  SECTION("the switchover actor never answered") {
    auto d = nopreempt_backup();
    d.feed(core::SwitchoverStart{5, 1000ms});
    d.feed(core::SwitchoverDeadline{5});
    CHECK_THAT(only_result(d).detail, Catch::Contains("did not answer in time"));
    REQUIRE(d.all<core::ReleasePause>().size() == 1);
    CHECK(d.state() == State::backup);
  }
  SECTION("redkeep stops") {
    auto d = nopreempt_backup();
    d.feed(core::SwitchoverStart{5, 1000ms});
    d.feed(core::Stop{});
    CHECK(only_result(d).detail == "redkeep is stopping");
  }
}

TEST_CASE(
    "rule switchover_boost: the target advertises 254 for its first Master_Down_Interval as "
    "Master, then its configured priority",
    "[core][rules][switchover]") {
  SECTION("Master for Master_Down_Interval") {
    auto d = switched_over();
    CHECK(d.priority() == 254);
    d.advance(3s);
    d.report(redis_master());
    CHECK(d.priority() == 254);
    d.advance(1s);
    d.report(redis_master());
    CHECK(d.priority() == 100);
    CHECK(d.state() == State::master);
    CHECK(d.adverts().back() == 100);
    CHECK(d.logs(core::LogKind::switchover) ==
          std::vector<std::string>{"Switchover priority 254 ends (Master for "
                                   "Master_Down_Interval): advertising the configured priority "
                                   "100 again"});
  }
  SECTION("leaving Master ends it") {
    auto d = switched_over();
    auto h = redis_master();
    h.healthy = false;
    d.report(h);
    CHECK(d.state() == State::fault);
    d.report(redis_master());
    CHECK(d.priority() == 100);
  }
  SECTION("a restarted election keeps it") {
    auto d = switched_over();
    const auto snap = d.core().snapshot();
    CHECK(snap.switchover_boost);
    auto in = recipe_instance(100);
    in.nopreempt = true;
    CoreDriver again(in);
    again.resume(snap);
    again.feed(core::Wired{false, true, true, true});
    again.report(redis_master());
    CHECK(again.priority() == 254);
  }
}

TEST_CASE("switchover_pause and switchover_boost_holds", "[core][switchover]") {
  CHECK(core::switchover_pause(2000ms, 3609375us) == 6609ms);
  const auto t0 = core::TimePoint{} + 100s;
  CHECK_FALSE(core::switchover_boost_holds(false, t0, t0, 3s));
  CHECK(core::switchover_boost_holds(true, t0, t0 + 2999ms, 3s));
  CHECK_FALSE(core::switchover_boost_holds(true, t0, t0 + 3s, 3s));
}
