// The order rules of DESIGN.md section 4, on core::Instance with a virtual clock.
#include <catch2/catch.hpp>
#include <set>

#include "scenario.hpp"

using namespace redkeep;
using namespace redkeep::test;
using net::vrrp::State;

namespace {

bool vip_up(const core::VipCommand& c) { return c.up; }
bool vip_down(const core::VipCommand& c) { return !c.up; }
bool promote(const core::RoleCommand& c) { return !c.master; }

}  // namespace

TEST_CASE("rule promote_before_vip: a new Master makes its Redis master before it adds the VIP",
          "[core][rules]") {
  CoreDriver d(recipe_instance(150, true));
  d.answer_role = false;
  d.feed(core::Wired{true, true, true, true});
  REQUIRE(d.state() == State::master);
  const auto promoted = d.index_of<core::RoleCommand>(promote);
  REQUIRE(promoted >= 0);
  CHECK(d.index_of<core::VipCommand>(vip_up) == -1);
  const auto generation = d.last_role()->generation;
  d.feed(core::RoleDone{generation, true, "ROLE master", false});
  CHECK(d.index_of<core::VipCommand>(vip_up) > promoted);
  CHECK(d.core().vip_held());
}

TEST_CASE(
    "rule vip_off_before_demote: a Master that yields removes the VIP before it demotes "
    "its Redis",
    "[core][rules]") {
  auto d = serving_master();
  d.answer_vip = false;
  d.hear("192.0.2.12", 200);
  REQUIRE(d.state() == State::backup);
  const auto removed = d.index_of<core::VipCommand>(vip_down);
  REQUIRE(removed >= 0);
  CHECK(d.all<core::RoleCommand>().empty());
  d.feed(core::VipDone{d.all<core::VipCommand>().back().generation, false, true, ""});
  const auto demote = d.index_of<core::RoleCommand>(
      [](const core::RoleCommand& c) { return c.master == ip("192.0.2.12") && c.kill_clients; });
  CHECK(demote > removed);
}

TEST_CASE(
    "rule advertise_before_serving: a Master whose adverts cannot be sent neither promotes "
    "its Redis nor adds the VIP",
    "[core][rules]") {
  CoreDriver d(recipe_instance(150, true));
  d.adverts_leave = false;
  d.feed(core::Wired{true, true, true, true});
  d.report(redis_master());
  d.advance(5s);
  CHECK(d.state() != State::master);
  CHECK(d.index_of<core::RoleCommand>(promote) == -1);
  CHECK(d.index_of<core::VipCommand>(vip_up) == -1);
  CHECK(d.core().counters().adverts_unsent > 0);
}

TEST_CASE(
    "rule stop_protocol: a stopping Master releases the VIP, sends priority 0 and follows "
    "the new master",
    "[core][rules]") {
  auto d = serving_master();
  d.feed(core::Stop{});
  CHECK(d.adverts() == std::vector<std::uint8_t>{0});
  const auto removed = d.index_of<core::VipCommand>(vip_down);
  CHECK(removed >= 0);
  CHECK_FALSE(d.stop_done());
  d.hear("192.0.2.12", 100);
  const auto demote = d.index_of<core::RoleCommand>(
      [](const core::RoleCommand& c) { return c.master == ip("192.0.2.12"); });
  CHECK(demote > removed);
  CHECK(d.stop_done());
  REQUIRE(d.logs(core::LogKind::stopped).size() == 1);
  CHECK(d.logs(core::LogKind::stopped)[0] == "Stopped: Redis demoted");
}

TEST_CASE(
    "rule stop_wait_bounded: a stopping Master that hears no successor exits after "
    "Master_Down_Interval + 1 s with its Redis left as it is",
    "[core][rules]") {
  auto d = serving_master();
  const auto wait = d.core().machine().master_down_interval() + 1s;
  d.feed(core::Stop{});
  d.advance(wait - 1ms);
  CHECK_FALSE(d.stop_done());
  d.advance(2ms);
  CHECK(d.stop_done());
  CHECK(d.all<core::RoleCommand>().empty());
  CHECK(d.logs(core::LogKind::stopped) ==
        std::vector<std::string>{"Stopped: no new master heard; Redis left as it is"});
}

TEST_CASE("rule self_correction: a Redis role changed by hand is put back without a failover",
          "[core][rules]") {
  auto d = following_backup();
  const auto transitions = d.core().counters().transitions;
  d.report(redis_master(0));  // someone ran REPLICAOF NO ONE on this replica
  REQUIRE(d.last_role());
  CHECK(d.last_role()->master == ip("192.0.2.12"));
  CHECK(d.logs(core::LogKind::role_corrected).size() == 1);
  CHECK(d.state() == State::backup);
  CHECK(d.core().counters().transitions == transitions);
}

TEST_CASE(
    "rule role_refused: a Master whose Redis refuses REPLICAOF NO ONE for good steps down "
    "and never adds the VIP",
    "[core][rules]") {
  CoreDriver d(recipe_instance(150, true));
  d.answer_role = false;
  d.feed(core::Wired{true, true, true, true});
  d.report(redis_master());
  REQUIRE(d.last_role());
  d.feed(core::RoleDone{d.last_role()->generation, false, "NOPERM", true});
  CHECK(d.state() == State::fault);
  CHECK(d.adverts().back() == 0);
  CHECK(d.index_of<core::VipCommand>(vip_up) == -1);
  CHECK(d.logs(core::LogKind::role_refused).size() == 1);
}

TEST_CASE(
    "rule resume_without_transition: a restarted election resumes as Master, re-asserts "
    "the VIP and changes no state",
    "[core][rules]") {
  auto d = serving_master();
  const auto snap = d.core().snapshot();
  CoreDriver again(recipe_instance(150, true));
  again.resume(snap);
  CHECK(again.state() == State::master);
  again.feed(core::Wired{true, true, true, true});
  again.report(redis_master());
  again.advance(3s);
  CHECK(again.state() == State::master);
  CHECK(again.core().counters().transitions == snap.counters.transitions);
  CHECK(again.index_of<core::VipCommand>(vip_down) == -1);
  CHECK(again.core().vip_held());
}

TEST_CASE("log events carry a stable name and their values by name", "[core][log]") {
  CoreDriver d(recipe_instance(150, true));
  d.feed(core::Wired{true, true, true, true});
  std::vector<core::LogEvent> changes;
  for (const auto& l : d.all<core::LogEvent>())
    if (l.kind == core::LogKind::state_change) changes.push_back(l);
  REQUIRE_FALSE(changes.empty());
  const auto& to_master = changes.back();
  CHECK(core::to_string(to_master.kind) == std::string("state_change"));
  CHECK(to_master.fields == std::vector<core::LogEvent::Field>{{"from", "INIT"},
                                                               {"to", "MASTER"},
                                                               {"cause", "initial state MASTER"},
                                                               {"priority", "150"}});
  // Every kind has its own name (the `event` of structured log lines).
  std::set<std::string> names;
  for (int k = 0; k <= static_cast<int>(core::LogKind::health); ++k)
    names.insert(core::to_string(static_cast<core::LogKind>(k)));
  CHECK(names.size() == static_cast<std::size_t>(core::LogKind::health) + 1);
  CHECK(names.count("unknown") == 0);
}
