// Cold start after a power loss: the verdict on the members compared, and the
// data rules it drives, on a virtual clock.
#include "core/cold_start.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "scenario.hpp"

using namespace redkeep;
using namespace redkeep::test;
using core::ColdStartState;
using core::MemberData;
using net::vrrp::kFloorPriority;
using net::vrrp::State;
using redis::DataOrder;

namespace {

const char* kN2 = "192.0.2.12:6379";
const char* kN3 = "192.0.2.13:6379";

/// The report of a Redis that restarted with data: redis_health made it a replica of nowhere;
/// `compared` members answered, the others of the two known did not.
core::RedisHealth restarted_with_data(std::vector<MemberData> compared = {},
                                      bool first = false) {
  auto h = redis_replica("127.0.0.1", false);
  h.master_port = 1;
  h.restarted = first;
  h.run_id = "0123456789abcdef";
  h.loaded_data = true;
  h.members_known = 2;
  for (const char* m : {kN2, kN3}) {
    const bool answered = std::any_of(compared.begin(), compared.end(),
                                      [&](const MemberData& c) { return c.member == m; });
    if (!answered) h.cold_start_missing.push_back(m);
  }
  h.cold_start_compared = std::move(compared);
  return h;
}

/// Reports `h` every 500 ms for `d`.
void keep_reporting(CoreDriver& d, const core::RedisHealth& h, std::chrono::microseconds d_for) {
  const auto end = d.now + d_for;
  while (d.now < end) {
    d.report(h);
    d.advance(500ms);
  }
}

CoreDriver booted(std::uint8_t priority, std::optional<unsigned> quorum = std::nullopt) {
  auto config = recipe_instance(priority);
  config.redis->cold_start_quorum = quorum;
  CoreDriver d(config);
  d.feed(core::Wired{true, true, true, true});
  d.report(restarted_with_data({}, true));
  return d;
}

}  // namespace

TEST_CASE("default_cold_start_quorum: a majority of the members remembered, this node included",
          "[core][cold_start]") {
  CHECK(core::default_cold_start_quorum(0) == 1);  // a new cluster starts as before
  CHECK(core::default_cold_start_quorum(1) == 2);
  CHECK(core::default_cold_start_quorum(2) == 2);  // three nodes
  CHECK(core::default_cold_start_quorum(3) == 3);
  CHECK(core::default_cold_start_quorum(4) == 3);
}

TEST_CASE("judge_cold_start: off, waiting, behind before diverged, newest", "[core][cold_start]") {
  const std::vector<std::string> none, both{kN2, kN3};
  const MemberData newer{kN2, DataOrder::theirs_newer, "1000 keys"};
  const MemberData older{kN3, DataOrder::ours_newer, "500 keys"};
  const MemberData same{kN3, DataOrder::same, "1000 keys"};
  const MemberData split{kN3, DataOrder::diverged, "600 keys"};
  CHECK(core::judge_cold_start(false, std::nullopt, 2, {}, both, false).state ==
        ColdStartState::off);
  CHECK(core::judge_cold_start(true, 1u, 2, {}, both, false).state == ColdStartState::off);
  CHECK(core::judge_cold_start(true, std::nullopt, 2, {}, both, true).state ==
        ColdStartState::off);
  CHECK(core::judge_cold_start(true, std::nullopt, 0, {}, none, false).state ==
        ColdStartState::off);
  auto waiting = core::judge_cold_start(true, std::nullopt, 2, {}, both, false);
  CHECK(waiting.state == ColdStartState::waiting);
  CHECK(waiting.quorum == 2);
  CHECK(waiting.missing == both);
  CHECK(core::describe(waiting).find("not reached: 192.0.2.12:6379, 192.0.2.13:6379") !=
        std::string::npos);
  CHECK(core::judge_cold_start(true, 3u, 2, {older}, {kN2}, false).state ==
        ColdStartState::waiting);
  CHECK(core::judge_cold_start(true, std::nullopt, 2, {older}, {kN2}, false).state ==
        ColdStartState::newest);
  CHECK(core::judge_cold_start(true, std::nullopt, 2, {same}, {kN2}, false).state ==
        ColdStartState::newest);
  auto behind = core::judge_cold_start(true, std::nullopt, 2, {split, newer}, none, false);
  CHECK(behind.state == ColdStartState::behind);
  CHECK(behind.detail == "192.0.2.12:6379 holds newer data (1000 keys)");
  auto diverged = core::judge_cold_start(true, std::nullopt, 2, {split, older}, none, false);
  CHECK(diverged.state == ColdStartState::diverged);
  CHECK(diverged.detail.find("192.0.2.13:6379 (600 keys) each hold writes the other lacks") !=
        std::string::npos);
}

TEST_CASE(
    "rule cold_start_wait: a node whose Redis restarted with data stays out of Master, alone "
    "past twice Master_Down_Interval, until it compared data with cold_start_quorum members",
    "[core][rules]") {
  auto d = booted(50);
  const auto mdi = d.core().machine().master_down_interval();
  keep_reporting(d, restarted_with_data(), 3 * mdi);
  CHECK(d.state() == State::fault);
  CHECK(d.all<core::AdvertOut>().empty());
  const auto logs = d.logs(core::LogKind::cold_start);
  REQUIRE(logs.size() == 1);  // said once
  CHECK(logs[0].find("redkeep cold-start --force --instance VI_1") != std::string::npos);
  auto status = nlohmann::json::parse(d.core().status_json({}, d.now));
  CHECK(status["redis"]["cold_start"]["state"] == "waiting");
  CHECK(status["redis"]["cold_start"]["missing"].size() == 2);
  CHECK(status["redis"]["not_eligible_because"].get<std::string>().find("cold_start_quorum 2") !=
        std::string::npos);
  // A member with newer data answers: behind, still out of Master, and it follows that node
  // once it leads, through the gate that guards its loaded data.
  keep_reporting(d, restarted_with_data({{kN2, DataOrder::theirs_newer, "1000 keys"}}), 3 * mdi);
  CHECK(d.state() == State::fault);
  CHECK(d.core().cold_start().state == ColdStartState::behind);
  d.hear("192.0.2.12", 100);
  REQUIRE(d.last_role());
  CHECK(d.last_role()->master == ip("192.0.2.12"));
  CHECK(d.last_role()->loaded_data);
}

TEST_CASE(
    "rule newest_leads: compared with a quorum and none newer, it takes Master at its "
    "configured priority although its Redis restarted",
    "[core][rules]") {
  auto d = booted(100);
  const auto mdi = d.core().machine().master_down_interval();
  keep_reporting(d, restarted_with_data({{kN3, DataOrder::ours_newer, "500 keys"}}), mdi + 2s);
  CHECK(d.state() == State::master);
  CHECK(d.priority() == 100);
  CHECK(d.logs(core::LogKind::cold_start).back().find("no member holds newer data") !=
        std::string::npos);
  // Its replica, already following it, looks newer than its Redis did a moment before (a
  // report that raced the promotion): no reason to step down.
  d.report(restarted_with_data({{kN3, DataOrder::theirs_newer, "1005 keys"}}));
  d.advance(2s);
  CHECK(d.state() == State::master);
  CHECK(d.priority() == 100);
}

TEST_CASE("a lone cold start stays out of Master while its Redis is still LOADING",
          "[core][cold_start]") {
  auto config = recipe_instance(50);
  CoreDriver d(config);
  d.feed(core::Wired{true, true, true, true});
  core::RedisHealth loading;  // a failed check (-LOADING): no role, no restart reported yet
  loading.healthy = true;
  loading.loading = true;
  loading.loaded_data = true;
  loading.members_known = 2;
  loading.cold_start_missing = {kN2, kN3};
  keep_reporting(d, loading, 3 * d.core().machine().master_down_interval());
  CHECK(d.state() == State::fault);
  CHECK(d.all<core::RoleCommand>().empty());
}

TEST_CASE("the operator's override lasts until the restart is resolved, and only where a cold "
          "start holds",
          "[core][cold_start]") {
  auto d = booted(50);
  d.feed(core::ColdStartOverride{});
  CHECK(d.core().cold_start().state == ColdStartState::off);
  auto resolved = redis_replica("192.0.2.12");
  resolved.members_known = 2;
  d.report(resolved);  // synced: loaded_data over
  d.report(restarted_with_data({}, true));  // restarted again: waits again
  CHECK(d.core().cold_start().state == ColdStartState::waiting);
  CoreDriver plain(recipe_instance(50));
  plain.feed(core::Wired{true, true, true, true});
  plain.report(redis_replica("192.0.2.12"));
  plain.feed(core::ColdStartOverride{});
  CHECK(plain.logs(core::LogKind::cold_start).empty());
}

TEST_CASE("a cold start does not lead past a Master already heard: it follows it",
          "[core][cold_start]") {
  auto d = booted(150);
  for (int i = 0; i < 20; ++i) {  // its adverts keep coming
    d.hear("192.0.2.12", 100);
    d.report(restarted_with_data({{kN2, DataOrder::same, "1000 keys"}}));
    d.advance(500ms);
  }
  CHECK(d.state() == State::fault);  // restarted, not re-synced: out until it has
  CHECK(d.last_role()->master == ip("192.0.2.12"));
}

TEST_CASE("cold_start_quorum 1, or the operator's override, starts as before: the floor after "
          "twice Master_Down_Interval",
          "[core][cold_start]") {
  auto quorum_one = booted(50, 1u);
  auto overridden = booted(50);
  overridden.feed(core::ColdStartOverride{});
  CHECK(overridden.logs(core::LogKind::cold_start).back().find("overridden") !=
        std::string::npos);
  for (auto* d : {&quorum_one, &overridden}) {
    const auto mdi = d->core().machine().master_down_interval();
    keep_reporting(*d, restarted_with_data(), 2 * mdi + 6s);
    CHECK(d->state() == State::master);
    CHECK(d->priority() == kFloorPriority);
    CHECK(d->core().cold_start().state == ColdStartState::off);
  }
}
