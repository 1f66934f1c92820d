// Tracked scripts and notify scripts as core::Instance applies them: a weight-0 script holds
// the instance in FAULT, a weighted one moves its effective priority, and every transition
// asks for its notify scripts in order (with or without a redis block).
#include <catch2/catch.hpp>

#include "scenario.hpp"

using namespace redkeep;
using namespace redkeep::test;
using core::LogKind;
using net::vrrp::kFloorPriority;
using net::vrrp::State;

namespace {

config::TrackedScript tracked(const std::string& name, int weight) {
  config::TrackedScript t;
  t.script.name = name;
  t.script.script = "/usr/local/bin/" + name;
  t.script.weight = weight;
  t.weight = weight;
  return t;
}

core::ScriptRun succeeded(std::size_t index = 0) {
  return core::ScriptRun{index, true, "exited with status 0"};
}
core::ScriptRun failed(std::size_t index = 0) {
  return core::ScriptRun{index, false, "exited with status 1"};
}

/// A vrrp_instance without a redis block (a plain VRRP daemon) tracking `scripts`.
config::VrrpInstance plain_instance(std::uint8_t priority,
                                    std::vector<config::TrackedScript> scripts,
                                    bool master = false) {
  auto in = recipe_instance(priority, master);
  in.redis.reset();
  in.track_script = std::move(scripts);
  return in;
}

/// `d` started (its children wired).
void start(CoreDriver& d) { d.feed(core::Wired{true, true, true, true}); }

std::vector<std::string> notified(const CoreDriver& d) {
  std::vector<std::string> out;
  for (const auto& n : d.all<core::Notify>()) out.push_back(n.state);
  return out;
}

/// Runs a node through BACKUP, MASTER (alone: its Master_Down_Timer fires) and the stop
/// protocol, with a healthy Redis; returns it stopped.
CoreDriver backup_master_stop(config::VrrpInstance in) {
  CoreDriver d(std::move(in));
  start(d);
  d.report(redis_master(0));
  d.advance(5s);
  REQUIRE(d.state() == State::master);
  d.feed(core::Stop{});
  d.advance(10s);  // no new master is heard: the stop wait ends
  REQUIRE(d.stop_done());
  return d;
}

}  // namespace

TEST_CASE(
    "scripts: a failing weight-0 script puts an instance without Redis in FAULT, and its "
    "success brings it back to BACKUP",
    "[core][scripts]") {
  CoreDriver d(plain_instance(100, {tracked("chk_app", 0)}));
  start(d);
  REQUIRE(d.state() == State::backup);
  d.feed(failed());
  CHECK(d.state() == State::fault);
  CHECK(d.logs(LogKind::script_state) ==
        std::vector<std::string>{"VRRP_Script(chk_app) failed (exited with status 1)"});
  d.feed(succeeded());
  CHECK(d.state() == State::backup);
  CHECK(d.logs(LogKind::script_state).back() == "VRRP_Script(chk_app) succeeded");
  // Nothing asks a Redis to change role: there is none.
  CHECK(d.all<core::RoleCommand>().empty());
}

TEST_CASE(
    "scripts: an instance without Redis whose weight-0 script has no result yet advertises "
    "the floor priority",
    "[core][scripts]") {
  CoreDriver d(plain_instance(100, {tracked("chk_app", 0)}));
  start(d);
  CHECK(d.state() == State::backup);
  CHECK(d.priority() == kFloorPriority);
  CHECK(d.logs(LogKind::not_eligible) ==
        std::vector<std::string>{"Not eligible to be master: waiting for the first result of "
                                 "script chk_app; advertising priority 1"});
  d.feed(succeeded());
  CHECK(d.priority() == 100);
}

TEST_CASE("scripts: an instance without Redis whose weight-0 script is init_fail starts in FAULT",
          "[core][scripts]") {
  auto script = tracked("chk_app", 0);
  script.script.init_fail = true;
  CoreDriver d(plain_instance(100, {script}, true));
  start(d);
  CHECK(d.state() == State::fault);
  CHECK(d.all<core::VipCommand>().empty());
  d.feed(succeeded());
  CHECK(d.state() != State::fault);
}

TEST_CASE(
    "scripts: a Master without Redis whose weight-0 script fails leaves with priority 0 and "
    "releases the VIP",
    "[core][scripts]") {
  CoreDriver d(plain_instance(150, {tracked("chk_app", 0)}, true));
  start(d);
  d.feed(succeeded());
  d.advance(10ms);
  REQUIRE(d.state() == State::master);
  REQUIRE(d.index_of<core::VipCommand>([](const core::VipCommand& c) { return c.up; }) >= 0);
  d.clear();
  d.feed(failed());
  CHECK(d.state() == State::fault);
  CHECK(d.adverts() == std::vector<std::uint8_t>{0});
  CHECK(d.index_of<core::VipCommand>([](const core::VipCommand& c) { return !c.up; }) >= 0);
}

TEST_CASE(
    "rule script_weights: a failing script of weight -60 lowers priority 150 to 90 until it "
    "succeeds again",
    "[core][scripts]") {
  CoreDriver d(plain_instance(150, {tracked("chk_load", -60)}));
  start(d);
  d.feed(succeeded());
  CHECK(d.priority() == 150);
  CHECK(d.logs(LogKind::priority_change).empty());
  d.feed(failed());
  CHECK(d.state() == State::backup);  // a weighted script never means FAULT
  CHECK(d.priority() == 90);
  CHECK(d.core().machine().effective_priority() == 90);
  CHECK(
      d.logs(LogKind::priority_change) ==
      std::vector<std::string>{"Effective priority 150 -> 90 (priority 150, tracked scripts -60)"});
  d.feed(succeeded());
  CHECK(d.priority() == 150);
  CHECK(d.logs(LogKind::priority_change).size() == 2);
  CHECK(d.logs(LogKind::priority_change).back() ==
        "Effective priority 90 -> 150 (priority 150, tracked scripts +0)");
}

TEST_CASE(
    "rule script_weights: weights never lift a node that is not eligible above the floor "
    "priority",
    "[core][scripts]") {
  // chk_app (weight 0) has no result yet: not eligible; chk_extra (+50) succeeds.
  CoreDriver d(plain_instance(100, {tracked("chk_app", 0), tracked("chk_extra", 50)}));
  start(d);
  d.feed(succeeded(1));
  CHECK(d.priority() == kFloorPriority);
  d.feed(succeeded(0));
  CHECK(d.priority() == 150);
}

TEST_CASE("scripts: a Master advertises the priority its scripts' weights give it",
          "[core][scripts]") {
  CoreDriver d(plain_instance(150, {tracked("chk_load", -60), tracked("chk_extra", 20)}, true));
  start(d);
  d.feed(succeeded(0));
  d.feed(succeeded(1));
  d.advance(10ms);
  REQUIRE(d.state() == State::master);
  CHECK(d.priority() == 170);
  d.clear();
  d.feed(failed(0));
  d.advance(1s);
  CHECK(d.state() == State::master);
  CHECK(d.priority() == 110);
  REQUIRE_FALSE(d.adverts().empty());
  CHECK(d.adverts().back() == 110);
}

TEST_CASE(
    "rule notify_in_order: each transition asks for the notify scripts in order: BACKUP, "
    "MASTER, STOP",
    "[core][scripts][notify]") {
  auto in = recipe_instance(150);
  in.notify.master = config::NotifyScript{"/bin/true", {}, {}};
  const auto d = backup_master_stop(in);
  CHECK(notified(d) == std::vector<std::string>{"BACKUP", "MASTER", "STOP"});
  const auto notifies = d.all<core::Notify>();
  CHECK(notifies[1].priority == 150);
  // STOP comes with the end of the stop protocol, before StopDone.
  const int stop =
      d.index_of<core::Notify>([](const core::Notify& n) { return n.state == "STOP"; });
  const int done = d.index_of<core::StopDone>([](const core::StopDone&) { return true; });
  CHECK(stop >= 0);
  CHECK(stop < done);
}

TEST_CASE("scripts: no notify script configured, no Notify command", "[core][scripts][notify]") {
  const auto d = backup_master_stop(recipe_instance(150));
  CHECK(d.all<core::Notify>().empty());
}

TEST_CASE("scripts: FAULT and the way back out of it are notified too", "[core][scripts][notify]") {
  auto in = plain_instance(100, {tracked("chk_app", 0)});
  in.notify.any = config::NotifyScript{"/usr/local/bin/notify", {}, {}};
  CoreDriver d(in);
  start(d);
  d.feed(failed());
  d.feed(succeeded());
  CHECK(notified(d) == std::vector<std::string>{"BACKUP", "FAULT", "BACKUP"});
}

TEST_CASE(
    "scripts: with a redis block, a failing weight-0 script puts the instance in FAULT once "
    "Redis has reported healthy",
    "[core][scripts]") {
  auto in = recipe_instance(100);
  in.track_script = {tracked("chk_app", 0)};
  CoreDriver d(in);
  start(d);
  d.hear("192.0.2.12", 150);
  d.feed(failed());
  // The data rules wait for the first Redis report.
  CHECK(d.state() == State::backup);
  d.report(redis_replica("192.0.2.12"));
  CHECK(d.state() == State::fault);
  // In FAULT its Redis still follows the Master.
  REQUIRE(d.last_role());
  CHECK(d.last_role()->master == ip("192.0.2.12"));
  d.feed(succeeded());
  CHECK(d.state() == State::backup);
  CHECK(d.priority() == 100);
}

TEST_CASE(
    "scripts: with a redis block, a weight-0 script without a first result keeps the "
    "instance at the floor priority",
    "[core][scripts]") {
  auto in = recipe_instance(100);
  in.track_script = {tracked("chk_app", 0)};
  CoreDriver d(in);
  start(d);
  d.hear("192.0.2.12", 150);
  d.report(redis_replica("192.0.2.12"));
  CHECK(d.state() == State::backup);
  CHECK(d.priority() == kFloorPriority);
  CHECK(d.logs(LogKind::not_eligible) ==
        std::vector<std::string>{"Not eligible to be master: waiting for the first result of "
                                 "script chk_app; advertising priority 1"});
  d.feed(succeeded());
  CHECK(d.priority() == 100);
  CHECK(d.logs(LogKind::eligible).size() == 1);
}

TEST_CASE(
    "scripts: with a redis block, a weighted script's result before the first Redis report "
    "applies once it comes",
    "[core][scripts]") {
  auto in = recipe_instance(150);
  in.track_script = {tracked("chk_load", -60)};
  CoreDriver d(in);
  start(d);
  d.hear("192.0.2.12", 200);
  d.feed(failed());
  d.report(redis_replica("192.0.2.12"));
  CHECK(d.priority() == 90);
}

TEST_CASE(
    "scripts: a reload that changes a tracked script's weight applies the new weight to the "
    "result it carries over",
    "[core][scripts]") {
  CoreDriver before(plain_instance(100, {tracked("chk", -10)}));
  start(before);
  before.feed(failed());
  REQUIRE(before.priority() == 90);
  // The reload: the same script, weight -30 now; the election resumes from its snapshot.
  CoreDriver after(plain_instance(100, {tracked("chk", -30)}));
  after.resume(before.core().snapshot());
  CHECK(after.priority() == 70);
  // Its weight is 0 now: the failed script means FAULT, as at a cold start.
  CoreDriver zero(plain_instance(100, {tracked("chk", 0)}));
  zero.resume(before.core().snapshot());
  CHECK(zero.state() == State::fault);
  // No script tracked any more: the configured priority.
  CoreDriver none(plain_instance(100, {}));
  none.resume(before.core().snapshot());
  CHECK(none.priority() == 100);
}
