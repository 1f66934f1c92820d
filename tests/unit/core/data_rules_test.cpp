// The data rules of DESIGN.md section 3 as the core applies them: each scenario feeds Redis
// reports, adverts, probe rounds and time to core::Instance, and checks what it advertises.
#include <catch2/catch.hpp>

#include "scenario.hpp"

using namespace redkeep;
using namespace redkeep::test;
using net::vrrp::kFloorPriority;
using net::vrrp::State;

namespace {

/// A probe round that started now: `answered` of 2 members replied.
core::ProbeRound probe(const CoreDriver& d, std::size_t answered) {
  return core::ProbeRound{d.now, 2, answered};
}

/// Lets the Backup's Master go silent until its adverts are overdue (redis_health and
/// member_probe are told).
void lose_master(CoreDriver& d) {
  for (int i = 0; i < 50 && d.all<core::MasterOverdue>().empty(); ++i) d.advance(100ms);
  REQUIRE(d.all<core::MasterOverdue>().size() == 1);
  REQUIRE(d.all<core::MasterOverdue>()[0].overdue);
  REQUIRE(d.all<core::ProbeMembers>().size() == 1);
}

}  // namespace

TEST_CASE(
    "rule redis_unhealthy: a Master whose Redis fails its checks goes to Fault with "
    "priority 0 and releases the VIP",
    "[core][rules]") {
  auto d = serving_master();
  auto h = redis_master();
  h.healthy = false;
  d.report(h);
  CHECK(d.state() == State::fault);
  CHECK(d.adverts() == std::vector<std::uint8_t>{0});
  CHECK(d.index_of<core::VipCommand>([](const core::VipCommand& c) { return !c.up; }) >= 0);
}

TEST_CASE("rule loading: a Redis LOADING its data advertises the floor priority", "[core][rules]") {
  auto d = following_backup();
  auto h = redis_replica("192.0.2.12");
  h.loading = true;
  d.report(h);
  CHECK(d.priority() == kFloorPriority);
  CHECK(d.logs(core::LogKind::not_eligible) ==
        std::vector<std::string>{"Not eligible to be master: Redis is LOADING its data; "
                                 "advertising priority 1"});
  d.report(redis_replica("192.0.2.12"));
  CHECK(d.priority() == 100);
  CHECK(d.logs(core::LogKind::eligible).size() == 1);
}

TEST_CASE(
    "rule restarted_steps_down: a Master whose Redis restarted steps down until it "
    "re-synced",
    "[core][rules]") {
  auto d = serving_master();
  auto h = redis_master(0);
  h.restarted = true;
  h.run_id = "0123456789abcdef";
  d.report(h);
  CHECK(d.state() == State::fault);
  CHECK(d.adverts() == std::vector<std::uint8_t>{0});
  CHECK(d.logs(core::LogKind::redis_restarted).size() == 1);
  CHECK(d.logs(core::LogKind::step_out).size() == 1);
  // Another node takes over; once this Redis has synced from it, it may take part again.
  d.hear("192.0.2.12", 100);
  d.report(redis_replica("192.0.2.12"));
  CHECK(d.state() == State::backup);
  CHECK(d.priority() == 150);
}

TEST_CASE(
    "rule never_synced: a replica that has not synced since redkeep started stays out of "
    "Master",
    "[core][rules]") {
  CoreDriver d(recipe_instance(150));
  d.feed(core::Wired{true, true, true, true});
  d.report(redis_replica("192.0.2.12", false));  // booted into a broken network
  CHECK(d.state() == State::fault);
  d.advance(5s);  // hears nobody: still not Master
  CHECK(d.state() == State::fault);
  d.hear("192.0.2.12", 100);
  d.report(redis_replica("192.0.2.12"));
  CHECK(d.state() == State::backup);
}

TEST_CASE(
    "rule never_synced: with no master heard for twice Master_Down_Interval the unsynced "
    "node takes part, at the floor priority",
    "[core][rules]") {
  CoreDriver d(recipe_instance(150));
  d.feed(core::Wired{true, true, true, true});
  const auto mdi = d.core().machine().master_down_interval();
  const auto booted = d.now;
  while (d.now - booted < 2 * mdi - 500ms) {
    d.report(redis_replica("192.0.2.12", false));
    d.advance(500ms);
  }
  CHECK(d.state() == State::fault);
  while (d.now - booted < 2 * mdi + 6s) {
    d.report(redis_replica("192.0.2.12", false));
    d.advance(500ms);
  }
  CHECK(d.state() == State::master);
  CHECK(d.priority() == kFloorPriority);
}

TEST_CASE(
    "rule synced_with_current: a replica that has not synced with the Master it now "
    "follows advertises the floor priority",
    "[core][rules]") {
  auto d = following_backup();
  d.hear("192.0.2.13", 200);              // a new Master
  d.report(redis_replica("192.0.2.12"));  // still the old master's replica
  CHECK(d.priority() == kFloorPriority);
  CHECK(d.core().eligibility().reason() ==
        "Redis has not completed a sync with the current master");
  d.report(redis_replica("192.0.2.13"));
  CHECK(d.priority() == 100);
}

TEST_CASE(
    "rule alone_master: a Master that knows no member to probe and whose replicas went "
    "silent for longer than Master_Down_Interval advertises the floor priority",
    "[core][rules]") {
  auto d = serving_master();  // one replica followed it
  const auto mdi = d.core().machine().master_down_interval();
  const auto silent_since = d.now;
  while (d.now - silent_since < mdi - 500ms) {
    auto h = redis_master(0);
    h.replicas_silent_s = 0;
    d.report(h);
    d.advance(500ms);
  }
  CHECK(d.priority() == 150);
  d.advance(1s);
  d.report(redis_master(0));
  CHECK(d.priority() == kFloorPriority);
  CHECK(d.core().eligibility().reason() ==
        "master without replicas for longer than Master_Down_Interval");
}

TEST_CASE("rule behind_peer: a replica behind a fellow replica advertises the floor priority",
          "[core][rules]") {
  auto d = following_backup();
  auto h = redis_replica("192.0.2.12", false);
  h.behind_peer = true;
  h.behind_detail = "192.0.2.13 holds offset 2000, this one 1000";
  d.report(h);
  CHECK(d.priority() == kFloorPriority);
  CHECK(d.logs(core::LogKind::behind_peer) ==
        std::vector<std::string>{"This replica is behind another: 192.0.2.13 holds offset 2000, "
                                 "this one 1000"});
  // Unknown at the next check (nobody could be asked): the verdict stands.
  d.report(redis_replica("192.0.2.12", false));
  CHECK(d.priority() == kFloorPriority);
}

TEST_CASE(
    "rule stalled_timers: a Master whose own timers overran by more than "
    "Master_Down_Interval advertises the floor priority",
    "[core][rules]") {
  auto d = serving_master();
  // Overran by well over Master_Down_Interval (the Master's next advert was due within 1 s).
  d.stall(d.core().machine().master_down_interval() + 3s);
  d.advance(0ms);  // the late timer fires
  CHECK(d.priority() == kFloorPriority);
  CHECK(d.adverts().back() == kFloorPriority);
  // A Master of the configured priority elected meanwhile wins: this one yields.
  d.hear("192.0.2.12", 100);
  CHECK(d.state() == State::backup);
}

TEST_CASE(
    "rule cut_off_backup: a Backup that reaches no member after its Master went silent "
    "takes Master only at the floor priority",
    "[core][rules]") {
  auto d = following_backup();
  d.feed(probe(d, 2));
  lose_master(d);
  d.feed(probe(d, 0));
  CHECK(d.priority() == kFloorPriority);
  d.advance(5s);
  REQUIRE(d.state() == State::master);
  const auto adverts = d.adverts();
  REQUIRE_FALSE(adverts.empty());
  CHECK(adverts.front() == kFloorPriority);
  // Healed: the serving Master's adverts win over the island's.
  d.hear("192.0.2.12", 150);
  CHECK(d.state() == State::backup);
}

TEST_CASE(
    "rule cut_off_backup: a Backup that still reaches a member takes over with its own "
    "priority",
    "[core][rules]") {
  auto d = following_backup();
  d.feed(probe(d, 2));
  lose_master(d);
  d.feed(probe(d, 1));
  CHECK(d.priority() == 100);
  d.advance(5s);
  REQUIRE(d.state() == State::master);
  CHECK(d.adverts().front() == 100);
}

TEST_CASE(
    "rule cut_off_master: a Master that reaches no member for 2 advert intervals advertises "
    "the floor priority and sends no more ARP bursts",
    "[core][rules]") {
  auto d = serving_master();
  d.feed(probe(d, 2));
  for (int i = 0; i < 2; ++i) {
    d.advance(1s);
    d.feed(probe(d, 0));
  }
  CHECK(d.priority() == 150);  // 2 intervals: not yet
  d.advance(1s);
  d.feed(probe(d, 0));
  CHECK(d.priority() == kFloorPriority);
  CHECK(d.all<core::GarpQuiet>().size() == 1);
  CHECK(d.all<core::GarpQuiet>()[0].quiet);
  // A replica following it again (INFO) and a member reached end the cut-off.
  d.advance(1s);
  d.feed(probe(d, 2));
  d.report(redis_master(1));
  CHECK(d.priority() == 150);
}

TEST_CASE(
    "rule lower_master_garp: a Master hearing a lower-priority Master sends gratuitous ARPs "
    "at once, once per interval",
    "[core][rules]") {
  auto d = serving_master();
  d.hear("192.0.2.12", 100);
  CHECK(d.all<core::GarpBurst>().size() == 1);
  CHECK(d.state() == State::master);
  d.advance(500ms);
  d.hear("192.0.2.12", 100);
  CHECK(d.all<core::GarpBurst>().size() == 1);
  d.advance(600ms);
  d.hear("192.0.2.12", 100);
  CHECK(d.all<core::GarpBurst>().size() == 2);
  // Equal or higher priority: no burst (it is not an island's Master to win clients back from).
  d.hear("192.0.2.13", 150);
  CHECK(d.all<core::GarpBurst>().size() == 2);
}

TEST_CASE(
    "rule held_takeover: a Backup holds its takeover while the VIP serves its history, and "
    "takes Master Skew_Time after the VIP stops answering",
    "[core][rules]") {
  auto d = following_backup();
  d.feed(probe(d, 2));
  lose_master(d);
  d.feed(probe(d, 1));
  auto h = redis_replica("192.0.2.12", false);
  h.vip_serves_master = true;
  h.vip_detail = "192.0.2.100:6379 is master of our history, watched by redkeep";
  d.report(h);
  REQUIRE(d.all<core::VipWatch>().size() == 1);
  CHECK(d.all<core::VipWatch>()[0].vip ==
        net::RedisEndpoint{ip("192.0.2.100"), static_cast<std::uint16_t>(6379)});
  d.feed(core::VipReached{true});
  CHECK(d.logs(core::LogKind::takeover_held).size() == 1);
  d.advance(10s);
  CHECK(d.state() == State::backup);
  CHECK(d.core().machine().takeover_held());
  d.feed(core::VipReached{false});
  CHECK(d.logs(core::LogKind::takeover_released).size() == 1);
  d.advance(d.core().machine().skew_time() + 1ms);
  CHECK(d.state() == State::master);
}

TEST_CASE(
    "rule floor_tie_history: of two cut-off Masters, the one with the lower address holds "
    "the tie-break until the histories are compared, then the history decides",
    "[core][rules]") {
  auto verdict = GENERATE(redis::FloorTie::theirs, redis::FloorTie::ours);
  CoreDriver d(recipe_instance(150, true), "192.0.2.12");
  d.feed(core::Wired{true, true, true, true});
  d.report(redis_master());
  d.feed(probe(d, 2));
  for (int i = 0; i < 3; ++i) {
    d.advance(1s);
    d.feed(probe(d, 0));
  }
  REQUIRE(d.priority() == kFloorPriority);
  // The other island's Master, at the floor too, has the higher address: plain VRRP would make
  // this one yield; it holds and asks whose history contains whose.
  d.hear("192.0.2.13", kFloorPriority);
  REQUIRE(d.all<core::CompareHistory>().size() == 1);
  CHECK(d.all<core::CompareHistory>()[0].peer == ip("192.0.2.13"));
  CHECK(d.state() == State::master);
  d.feed(core::HistoryVerdict{ip("192.0.2.13"), verdict, "compared"});
  CHECK(d.logs(core::LogKind::floor_tie).size() == 1);
  d.hear("192.0.2.13", kFloorPriority);
  if (verdict == redis::FloorTie::theirs) {
    CHECK(d.state() == State::backup);
  } else {
    CHECK(d.state() == State::master);
    CHECK(d.priority() == 150);
  }
}

TEST_CASE(
    "rule reject_log_rate: every rejected advert is counted, and logged once per reason "
    "per 10 s",
    "[core][rules]") {
  auto d = following_backup();
  using net::vrrp::RejectReason;
  for (int i = 0; i < 5; ++i)
    d.feed(core::AdvertRejected{RejectReason::checksum, "40-byte packet"});
  d.feed(core::AdvertRejected{RejectReason::vrid, "40-byte packet"});
  const auto& rejected = d.core().counters().rejected;
  CHECK(rejected[static_cast<std::size_t>(RejectReason::checksum)] == 5);
  CHECK(rejected[static_cast<std::size_t>(RejectReason::vrid)] == 1);
  CHECK(d.logs(core::LogKind::advert_rejected) ==
        std::vector<std::string>{"Rejected advert (checksum): 40-byte packet"});
  d.advance(10s);
  d.feed(core::AdvertRejected{RejectReason::checksum, "40-byte packet"});
  CHECK(d.logs(core::LogKind::advert_rejected).back() ==
        "Rejected advert (checksum): 40-byte packet [4 more since last report]");
}

TEST_CASE(
    "rule promote_before_vip: a lone Master whose Redis restarted as a replica of nowhere "
    "promotes it before it adds the VIP again",
    "[core][rules]") {
  auto d = serving_master();
  // Its Redis dies, then comes back empty: redis_health made it a replica of nowhere.
  auto down = redis_master(0);
  down.healthy = false;
  down.last_result = "Failed (connection refused)";
  d.report(down);
  REQUIRE(d.state() == State::fault);
  auto back = redis_replica("127.0.0.1", false);
  back.master_port = 1;
  back.restarted = true;
  back.run_id = "0123456789abcdef";
  d.clear();
  // Nobody else is heard: after twice Master_Down_Interval it takes Master again.
  for (int i = 0; i < 40 && d.state() != State::master; ++i) {
    d.report(back);
    back.restarted = false;
    d.advance(500ms);
  }
  REQUIRE(d.state() == State::master);
  const auto promote = d.index_of<core::RoleCommand>(
      [](const core::RoleCommand& c) { return !c.master.has_value(); });
  const auto vip = d.index_of<core::VipCommand>([](const core::VipCommand& c) { return c.up; });
  REQUIRE(promote >= 0);
  CHECK((vip < 0 || promote < vip));
}
