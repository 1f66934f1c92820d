#include "core/eligibility.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

using namespace redkeep::core;
using namespace redkeep::redis;
using namespace std::chrono_literals;
using redkeep::net::IpAddress;

namespace {
const auto kMdi = std::chrono::microseconds(3'600'000);
const auto n1 = *IpAddress::parse("192.0.2.11");
const auto n2 = *IpAddress::parse("192.0.2.12");
Eligibility::Clock::time_point t0{};

EligibilityObservation replica_synced_with(IpAddress m) {
  EligibilityObservation o;
  o.is_replica = true;
  o.synced_with_master = true;
  o.vrrp_master_address = m;
  return o;
}
EligibilityObservation master_with(std::uint32_t replicas) {
  EligibilityObservation o;
  o.vrrp_master = true;
  o.connected_replicas = replicas;
  return o;
}
}  // namespace

TEST_CASE("a fresh master-role Redis at cold start is eligible", "[core][eligibility]") {
  Eligibility e(kMdi);
  e.observe(EligibilityObservation{}, t0);
  CHECK(e.eligible());
}

TEST_CASE("a restarted Redis is not eligible until it re-synced from the master",
          "[core][eligibility]") {
  Eligibility e(kMdi);
  e.observe(replica_synced_with(n1), t0);
  REQUIRE(e.eligible());
  EligibilityObservation restarted;
  restarted.restarted = true;
  restarted.is_replica = true;
  restarted.vrrp_master_address = n1;
  CHECK(e.observe(restarted, t0 + 1s));
  CHECK_FALSE(e.eligible());
  CHECK(e.reason().find("restarted") != std::string::npos);
  CHECK(e.reason_code() == "data_lost");
  // Not the Master, but it stays out of Master too: a node rebooting into a
  // broken network hears nobody and would promote its emptied Redis.
  CHECK(e.must_step_down());
  e.observe(replica_synced_with(n1), t0 + 2s);
  CHECK(e.eligible());
  CHECK_FALSE(e.must_step_down());
}

TEST_CASE(
    "a restarted Redis steps out until no master was heard for twice "
    "Master_Down_Interval",
    "[core][eligibility]") {
  Eligibility e(kMdi);
  EligibilityObservation o;
  o.restarted = true;  // first sight after a reboot, LOADING done, nobody heard
  e.observe(o, t0);
  CHECK(e.must_step_down());
  o.restarted = false;
  e.observe(o, t0 + 7s);
  CHECK(e.must_step_down());
  e.observe(o, t0 + 8s);
  CHECK_FALSE(e.must_step_down());
  CHECK_FALSE(e.eligible());  // the floor priority: its data is gone
}

TEST_CASE("a Master whose Redis restarted steps down until re-synced", "[core][eligibility]") {
  Eligibility e(kMdi);
  e.observe(master_with(2), t0);
  auto o = master_with(0);
  o.restarted = true;
  e.observe(o, t0 + 1s);
  CHECK(e.must_step_down());
  // Another node took over; ours re-syncs from it.
  e.observe(replica_synced_with(n2), t0 + 3s);
  CHECK_FALSE(e.must_step_down());
  CHECK(e.eligible());
}

TEST_CASE("stepping down ends when no master shows up for twice Master_Down_Interval",
          "[core][eligibility]") {
  Eligibility e(kMdi);
  auto o = master_with(0);
  o.restarted = true;
  e.observe(o, t0);
  REQUIRE(e.must_step_down());
  EligibilityObservation alone;
  e.observe(alone, t0 + 5s);
  CHECK(e.must_step_down());
  e.observe(alone, t0 + 8s);
  CHECK_FALSE(e.must_step_down());
  CHECK_FALSE(e.eligible());  // still the floor priority: its data is gone
}

TEST_CASE("a replica at redkeep's start is not eligible until it synced (boot without network)",
          "[core][eligibility]") {
  Eligibility e(kMdi);
  EligibilityObservation o;
  o.is_replica = true;  // link down: its master is unreachable
  e.observe(o, t0);
  CHECK_FALSE(e.eligible());
  e.observe(replica_synced_with(n1), t0 + 1s);
  CHECK(e.eligible());
}

TEST_CASE("an unsynced replica at redkeep's start stays out of Master until synced",
          "[core][eligibility]") {
  SECTION("a master shows up and it syncs") {
    Eligibility e(kMdi);
    EligibilityObservation o;
    o.is_replica = true;
    e.observe(o, t0);
    CHECK(e.must_step_down());
    o.vrrp_master_address = n2;  // heard, not synced yet: the wait goes on
    e.observe(o, t0 + 9s);
    CHECK(e.must_step_down());
    e.observe(replica_synced_with(n2), t0 + 10s);
    CHECK_FALSE(e.must_step_down());
    CHECK(e.eligible());
  }
  SECTION("nobody shows up for twice Master_Down_Interval: it takes part at the floor") {
    Eligibility e(kMdi);
    EligibilityObservation o;
    o.is_replica = true;
    e.observe(o, t0);
    e.observe(o, t0 + 7s);
    CHECK(e.must_step_down());
    e.observe(o, t0 + 8s);
    CHECK_FALSE(e.must_step_down());
    CHECK_FALSE(e.eligible());
  }
  SECTION("a replica already in sync at start is not held back") {
    Eligibility e(kMdi);
    e.observe(replica_synced_with(n1), t0);
    CHECK_FALSE(e.must_step_down());
    CHECK(e.eligible());
  }
}

TEST_CASE("a node that has not synced with the current master is not eligible",
          "[core][eligibility]") {
  Eligibility e(kMdi);
  e.observe(replica_synced_with(n1), t0);
  EligibilityObservation o;
  o.is_replica = true;
  o.vrrp_master_address = n2;  // n1 died, n2 took over, we have not synced with it yet
  e.observe(o, t0 + 1s);
  CHECK_FALSE(e.eligible());
  CHECK(e.reason().find("current master") != std::string::npos);
  CHECK(e.reason_code() == "not_synced_with_master");
  e.observe(replica_synced_with(n2), t0 + 2s);
  CHECK(e.eligible());
}

TEST_CASE("a lagging replica is not eligible, and the verdict outlives its dead master",
          "[core][eligibility]") {
  Eligibility e(kMdi);
  auto o = replica_synced_with(n1);
  o.behind_peer = true;
  e.observe(o, t0);
  CHECK_FALSE(e.eligible());
  EligibilityObservation master_gone;
  master_gone.is_replica = true;  // link down, the master cannot be asked: lagging unknown
  e.observe(master_gone, t0 + 1s);
  CHECK_FALSE(e.eligible());
  auto caught_up = replica_synced_with(n2);
  caught_up.behind_peer = false;
  e.observe(caught_up, t0 + 2s);
  CHECK(e.eligible());
}

TEST_CASE("a master cut off from all its replicas for Master_Down_Interval is not eligible",
          "[core][eligibility]") {
  Eligibility e(kMdi);
  e.observe(master_with(2), t0);
  e.observe(master_with(0), t0 + 1s);
  CHECK(e.eligible());
  e.observe(master_with(0), t0 + 5s);  // 4 s > 3.6 s alone
  CHECK_FALSE(e.eligible());
  e.observe(master_with(1), t0 + 6s);
  CHECK(e.eligible());
}

TEST_CASE("a master counts as alone from its replicas' last ACK, not from when it noticed",
          "[core][eligibility]") {
  Eligibility e(kMdi);
  e.observe(master_with(2), t0);
  auto silent = master_with(0);
  silent.replicas_silent_for = 2s;  // ACKs stopped at t0 + 1 s
  e.observe(silent, t0 + 3s);
  CHECK(e.eligible());
  silent.replicas_silent_for = 4s;
  e.observe(silent, t0 + 5s);  // 4 s since the last ACK > 3.6 s: at once, not 3.6 s from now
  CHECK_FALSE(e.eligible());
  CHECK(e.reason().find("without replicas") != std::string::npos);
  CHECK(e.reason_code() == "alone_too_long");
}

TEST_CASE("a master that never had replicas (cold start, alone) stays eligible",
          "[core][eligibility]") {
  Eligibility e(kMdi);
  e.observe(master_with(0), t0);
  e.observe(master_with(0), t0 + 60s);
  CHECK(e.eligible());
}

TEST_CASE("timers overrunning by more than Master_Down_Interval make it not eligible",
          "[core][eligibility]") {
  Eligibility e(kMdi);
  e.observe(master_with(2), t0);
  CHECK_FALSE(e.timer_overran(std::chrono::microseconds(1'000'000)));
  CHECK(e.eligible());
  CHECK(e.timer_overran(std::chrono::microseconds(5'000'000)));
  CHECK_FALSE(e.eligible());
  CHECK(e.reason().find("stalled") != std::string::npos);
  CHECK(e.reason_code() == "stalled");
  e.observe(replica_synced_with(n2), t0 + 10s);
  CHECK(e.eligible());
}

TEST_CASE("LOADING and an unhealthy Redis are not eligible", "[core][eligibility]") {
  Eligibility e(kMdi);
  EligibilityObservation o;
  o.loading = true;
  e.observe(o, t0);
  CHECK(e.reason().find("LOADING") != std::string::npos);
  CHECK(e.reason_code() == "redis_loading");
  o.loading = false;
  o.healthy = false;
  e.observe(o, t0 + 1s);
  CHECK_FALSE(e.eligible());
}

// ---- Cut off from the cluster ----

TEST_CASE("a Backup that reached no member since its Master's adverts stopped is not eligible",
          "[core][eligibility]") {
  Eligibility e(kMdi);
  e.set_members_known(true);
  e.member_reached(t0 + 1s);  // before the adverts stopped: does not count
  e.set_master_overdue(true, t0 + 2s);
  CHECK_FALSE(e.eligible());
  CHECK(e.reason().find("reached no member") != std::string::npos);
  e.member_reached(t0 + 2s + 100ms);  // a fellow replica's Redis answered
  CHECK(e.eligible());
  // Overdue again later: a new verdict is needed.
  e.set_master_overdue(false, t0 + 3s);
  e.set_master_overdue(true, t0 + 10s);
  CHECK_FALSE(e.eligible());
  e.set_master_overdue(false, t0 + 10s + 500ms);  // its Master is heard again
  CHECK(e.eligible());
}

TEST_CASE("without any member known the cut-off rules do not apply", "[core][eligibility]") {
  Eligibility e(kMdi);
  e.set_master_overdue(true, t0 + 2s);
  CHECK(e.eligible());
  e.set_vrrp_master(true, t0 + 5s);
  e.observe(master_with(0), t0 + 60s);
  CHECK(e.evaluate(t0 + 60s) == false);
  CHECK(e.eligible());
}

TEST_CASE("a Master taken while cut off stays at the floor until a replica follows it",
          "[core][eligibility]") {
  Eligibility e(kMdi);
  e.set_members_known(true);
  e.set_master_overdue(true, t0 + 2s);
  e.set_vrrp_master(true, t0 + 4s);
  CHECK_FALSE(e.eligible());
  CHECK(e.reason().find("took Master while it reached no member") != std::string::npos);
  // The network is back: reaching members is not enough, they may follow the Master the
  // cluster elected meanwhile (its advert, higher than the floor, sends this one to Backup).
  e.member_reached(t0 + 10s);
  e.observe(master_with(0), t0 + 10s);
  CHECK_FALSE(e.eligible());
  auto followed = master_with(1);
  followed.replicas_following = 1;
  e.observe(followed, t0 + 11s);
  CHECK(e.eligible());
}

TEST_CASE("a Master that reached no member for longer than 2 advert intervals is not eligible",
          "[core][eligibility]") {
  Eligibility e(kMdi);
  e.set_members_known(true);
  e.set_vrrp_master(true, t0);
  e.member_reached(t0 + 1s);                 // the last probe reply
  CHECK_FALSE(e.evaluate(t0 + 2s + 900ms));  // 1.9 s without one: not yet
  CHECK(e.eligible());
  // INFO still lists its replicas as following (whole-second lag, read once per check):
  // that does not hold the verdict back.
  auto following = master_with(2);
  following.replicas_following = 2;
  e.observe(following, t0 + 3s + 100ms);
  CHECK_FALSE(e.eligible());  // 2.1 s since the last reply
  CHECK(e.reason().find("no replica follows it") != std::string::npos);
  // Still listed as following, but no member reached since the cut: the floor stays.
  e.observe(following, t0 + 4s);
  CHECK_FALSE(e.eligible());
  // Members answer again, and a replica follows it: the cut is over.
  e.member_reached(t0 + 5s);
  CHECK_FALSE(e.eligible());  // reaching members alone restores nothing
  e.observe(master_with(0), t0 + 5s + 100ms);
  CHECK_FALSE(e.eligible());
  e.observe(following, t0 + 6s);
  CHECK(e.eligible());
}

TEST_CASE("a Master whose replica is in a long full sync does not count as cut off",
          "[core][eligibility]") {
  Eligibility e(kMdi);
  e.set_members_known(true);
  e.set_vrrp_master(true, t0);
  auto syncing = master_with(0);
  syncing.replicas_syncing = 1;
  for (auto t = 1s; t < 30s; t += 1s) {
    e.member_reached(t0 + t);  // its node is reached (its kernel acknowledges the probes)
    e.observe(syncing, t0 + t);
    CHECK(e.eligible());
  }
}

TEST_CASE(
    "a Backup's cut-off verdict is pending until its first probe round since the Master "
    "went quiet",
    "[core][eligibility]") {
  Eligibility e(kMdi);
  e.set_members_known(true);
  e.set_master_overdue(true, t0 + 2s);
  CHECK(e.awaiting_probe());
  CHECK_FALSE(e.eligible());      // the floor is already advertised
  e.probe_round(t0 + 1s, false);  // a round from before: still pending
  CHECK(e.awaiting_probe());
  e.probe_round(t0 + 2s, false);  // nobody reached: the verdict
  CHECK_FALSE(e.awaiting_probe());
  CHECK_FALSE(e.eligible());
  e.probe_round(t0 + 3s, true);
  CHECK(e.eligible());
}

TEST_CASE(
    "two cut-off Masters: the one whose history contains the other's returns to its "
    "priority, the other concedes the tie",
    "[core][eligibility]") {
  const auto cut_off_master = [] {
    Eligibility e(kMdi);
    e.set_members_known(true);
    e.set_master_overdue(true, t0 + 2s);
    e.set_vrrp_master(true, t0 + 4s);
    REQUIRE_FALSE(e.eligible());
    REQUIRE(e.hold_floor_tie());
    return e;
  };
  auto winner = cut_off_master();
  winner.history_verdict(FloorTie::ours);
  CHECK(winner.eligible());
  CHECK_FALSE(winner.hold_floor_tie());

  auto loser = cut_off_master();
  loser.history_verdict(FloorTie::theirs);
  CHECK_FALSE(loser.eligible());
  CHECK_FALSE(loser.hold_floor_tie());  // the address no longer held against the winner

  auto undecided = cut_off_master();
  undecided.history_verdict(FloorTie::address);
  CHECK_FALSE(undecided.eligible());
  CHECK(undecided.hold_floor_tie());  // until the state machine's hold runs out

  // A Master that is not cut off ignores verdicts.
  Eligibility healthy(kMdi);
  healthy.history_verdict(FloorTie::theirs);
  CHECK(healthy.eligible());
  CHECK_FALSE(healthy.hold_floor_tie());
}

TEST_CASE("with members known, a cut-off Master is judged by its probes, not by INFO lag",
          "[core][eligibility]") {
  Eligibility e(kMdi);
  e.set_members_known(true);
  e.set_vrrp_master(true, t0);
  auto silent = master_with(0);
  silent.replicas_silent_for = 10s;
  e.member_reached(t0 + 9s);
  e.observe(master_with(2), t0);
  e.observe(silent, t0 + 10s);
  // The INFO-lag rule would say "without replicas"; the probes reached a member 1 s ago.
  CHECK(e.eligible());
}

TEST_CASE("an eligible node has no reason code, and every code is listed once",
          "[core][eligibility]") {
  Eligibility e(kMdi);
  e.observe(master_with(2), t0);
  REQUIRE(e.eligible());
  CHECK(e.reason_code().empty());
  const auto codes = Eligibility::reason_codes();
  CHECK(std::set<std::string>(codes.begin(), codes.end()).size() == codes.size());
  CHECK(std::find(codes.begin(), codes.end(), "") == codes.end());
  CHECK(std::find(codes.begin(), codes.end(), "cut_off_master") != codes.end());
}
