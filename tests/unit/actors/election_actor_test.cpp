// The election actor itself, deterministic: CAF's test_coordinator runs it on a virtual clock
// (no thread, no sleep) with plain fakes for its children that record what they are told and
// answer as working ones would.
#include <caf/scheduler/test_coordinator.hpp>
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "actors/election.hpp"
#include "actors/messages.hpp"

using namespace redkeep;
using namespace std::chrono_literals;

namespace {

using Record = std::shared_ptr<std::vector<std::string>>;

/// A child that records every message it gets as text and answers VipCommand, RoleCommand and
/// AdvertOut the way the real vip, redis_role and advert_io actors do when all goes well.
caf::behavior fake_child(caf::event_based_actor*, std::string name, Record record) {
  auto note = [=](const std::string& what) { record->push_back(name + ": " + what); };
  return {
      [=](const actors::AdvertOut& a) {
        note("advert " + std::to_string(a.priority));
        return actors::AdvertSent{true};
      },
      [=](const actors::VipCommand& c) {
        note(c.up ? "vip up" : "vip down");
        return actors::VipDone{c.generation, c.up, true, ""};
      },
      [=](const actors::RoleCommand& c) {
        note(c.master ? "replica of " + c.master->to_string() : "master");
        return actors::RoleDone{c.generation, true, "done", false};
      },
      [=](actors::renew_atom) {},
      [=](actors::quiet_atom, bool quiet) { note(quiet ? "quiet" : "not quiet"); },
      [=](actors::check_atom, bool overdue) { note(overdue ? "overdue" : "heard"); },
      [=](actors::check_atom) { note("probe now"); },
      [=](const actors::VipWatch&) { note("watch"); },
      [=](const actors::ElectionSnapshot&) {},
  };
}

actors::InstanceContext backup_context() {
  actors::InstanceContext ctx;
  ctx.instance.name = "Virtual";
  ctx.instance.virtual_router_id = 51;
  ctx.instance.priority = 100;
  ctx.instance.advert_int_cs = 100;
  ctx.instance.virtual_ipaddress = {{*net::IpAddress::parse("192.0.2.100"), 24}};
  ctx.instance.redis = config::RedisSettings{};
  ctx.primary_address = *net::IpAddress::parse("192.0.2.11");
  return ctx;
}

/// Index of `line` in `record` (-1: absent).
int at(const Record& record, const std::string& line) {
  for (std::size_t i = 0; i < record->size(); ++i)
    if ((*record)[i] == line) return static_cast<int>(i);
  return -1;
}

}  // namespace

TEST_CASE(
    "the election actor on a virtual clock: a lone Backup takes Master after "
    "Master_Down_Interval and promotes its Redis before it adds the VIP",
    "[actors][election]") {
  caf::actor_system_config cfg;
  cfg.set("scheduler.policy", caf::atom("testing"));
  caf::actor_system sys{cfg};
  auto& sched = dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());
  auto record = std::make_shared<std::vector<std::string>>();

  // The fakes are plain actors standing in for typed ones (actor_cast: the messages the election
  // sends are checked against the real interfaces at compile time).
  std::vector<caf::actor> all;
  auto fake = [&](const char* name) {
    all.push_back(sys.spawn(fake_child, name, record));
    return all.back();
  };
  actors::Wiring w;
  w.supervisor = fake("supervisor");
  w.advert_io = caf::actor_cast<actors::advert_io_actor>(fake("advert_io"));
  w.vip = caf::actor_cast<actors::vip_actor>(fake("vip"));
  w.redis_health = caf::actor_cast<actors::redis_health_actor>(fake("redis_health"));
  w.redis_role = caf::actor_cast<actors::redis_role_actor>(fake("redis_role"));
  w.member_probe = caf::actor_cast<actors::member_probe_actor>(fake("member_probe"));
  const auto ctx = backup_context();
  // The parent takes an argument: CAF 0.17 spawns an argument-less function actor through a
  // null std::tuple<> pointer (harmless, but UBSan rightly flags it).
  sys.spawn(
      [&](caf::event_based_actor* parent, const actors::InstanceContext& c) {
        all.push_back(actors::spawn_election(parent, c, nullptr));
        w.election = caf::actor_cast<actors::election_actor>(all.back());
      },
      ctx);
  sched.run();
  REQUIRE(w.election);
  caf::anon_send(w.election, w);
  actors::RedisHealth master_redis;
  master_redis.healthy = true;
  master_redis.last_result = "PONG";
  master_redis.role = redis::InfoRole::master;
  caf::anon_send(w.election, master_redis);
  sched.run();
  CHECK(record->empty());  // a Backup waits: nothing sent yet

  // Master_Down_Interval of priority 100 (VRRPv2, 1 s) is 3.609375 s: not yet at 3.6 s.
  sched.advance_time(3600ms);
  sched.run();
  CHECK(at(record, "advert_io: advert 100") == -1);
  sched.advance_time(10ms);
  sched.run();
  const auto advert = at(record, "advert_io: advert 100");
  const auto promoted = at(record, "redis_role: master");
  const auto vip_up = at(record, "vip: vip up");
  INFO([&] {
    std::string all;
    for (const auto& r : *record) all += r + "\n";
    return all;
  }());
  REQUIRE(advert >= 0);
  CHECK(promoted > advert);
  CHECK(vip_up > promoted);

  // A higher priority Master appears: the VIP goes first, then Redis follows it.
  record->clear();
  caf::anon_send(w.election, actors::AdvertIn{{*net::IpAddress::parse("192.0.2.12"), 200,
                                               net::vrrp::Centiseconds(100)}});
  sched.run();
  const auto vip_down = at(record, "vip: vip down");
  const auto demoted = at(record, "redis_role: replica of 192.0.2.12");
  REQUIRE(vip_down >= 0);
  CHECK(demoted > vip_down);

  for (const auto& a : all) caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  sched.run();
}
