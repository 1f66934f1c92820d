// The cut-off rules of issue 14 as the election composes them: the VRRP state machine and the
// data rules (Eligibility) on one virtual clock, events in, adverts out.
#include <catch2/catch.hpp>

#include "net/vrrp/state_machine.hpp"
#include "redis/eligibility.hpp"

using namespace redkeep;
using namespace std::chrono_literals;

namespace {

const net::vrrp::TimePoint t0{};

net::vrrp::ElectionParams backup_params() {
  net::vrrp::ElectionParams p;
  p.vrid = 55;
  p.priority = 150;
  p.nopreempt = true;
  p.advert_interval = net::vrrp::Centiseconds(100);
  p.primary_address = *net::IpAddress::parse("192.0.2.11");
  return p;
}

/// The election actor's glue: the Master overdue -> the data rules -> the advertised priority.
struct Node {
  net::vrrp::StateMachine sm{backup_params()};
  redis::Eligibility rules{sm.master_down_interval()};
  bool eligible_told = true;

  void apply(net::vrrp::TimePoint now) {
    if (rules.eligible() == eligible_told) return;
    eligible_told = rules.eligible();
    sm.priority_inputs({eligible_told, 0}, now);
  }
  void overdue_check(net::vrrp::TimePoint now) {
    auto at = sm.master_overdue_at();
    if (at && now >= *at) rules.set_master_overdue(true, now);
    apply(now);
  }
  /// Members known, a Master (192.0.2.12, priority 100) heard at 1 s, silent since: overdue
  /// at 2.5 s. Returns the Master's address.
  net::IpAddress follow_then_lose_master() {
    rules.set_members_known(true);
    sm.startup(t0);
    const auto master = *net::IpAddress::parse("192.0.2.12");
    sm.advert_received({master, 100, net::vrrp::Centiseconds(100)}, t0 + 1s);
    overdue_check(t0 + 2s + 500ms);
    return master;
  }
};

std::uint8_t first_master_advert(const net::vrrp::Actions& actions) {
  for (const auto& a : actions)
    if (auto* s = std::get_if<net::vrrp::SendAdvert>(&a)) return s->priority;
  return 0;
}

}  // namespace

TEST_CASE("a Backup cut off from every member takes Master with the floor priority in its "
          "first advert",
          "[redis][eligibility][vrrp]") {
  Node n;
  const auto master = n.follow_then_lose_master();
  // Its Master's adverts stopped (the island); no probe reply and no advert from anyone.
  CHECK(n.sm.effective_priority() == net::vrrp::kFloorPriority);
  auto deadline = *n.sm.next_deadline();
  auto actions = n.sm.timer_tick(deadline);
  REQUIRE(n.sm.state() == net::vrrp::State::master);
  CHECK(first_master_advert(actions) == net::vrrp::kFloorPriority);
  n.rules.set_vrrp_master(true, deadline);
  // Healed: the serving Master (100) advertises; this one yields (RFC 5798 6.4.3).
  actions = n.sm.advert_received({master, 100, net::vrrp::Centiseconds(100)}, deadline + 5s);
  CHECK(n.sm.state() == net::vrrp::State::backup);
}

TEST_CASE("a Backup that reaches a fellow replica keeps its priority and takes over as usual",
          "[redis][eligibility][vrrp]") {
  Node n;
  n.follow_then_lose_master();
  CHECK(n.sm.effective_priority() == net::vrrp::kFloorPriority);
  // The probe round started at the overdue moment got a reply from the other replica.
  n.rules.member_reached(t0 + 2s + 500ms);
  n.apply(t0 + 2s + 510ms);
  CHECK(n.sm.effective_priority() == 150);
  auto actions = n.sm.timer_tick(*n.sm.next_deadline());
  REQUIRE(n.sm.state() == net::vrrp::State::master);
  CHECK(first_master_advert(actions) == 150);
}
