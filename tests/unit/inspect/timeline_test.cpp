// The Analyzer on short stories written as redkeep's own text lines: failover blocks with
// their durations and the old master's fate, split brain against a handover, a master killed
// without a word, and clocks that contradict the order of events.
#include "inspect/timeline.hpp"

#include <catch2/catch.hpp>

#include "inspect/log_line.hpp"
#include "inspect/report.hpp"

using namespace redkeep::inspect;

namespace {

struct Collect : Sink {
  std::vector<StateChange> changes;
  std::vector<MasterSpan> spans;
  std::vector<Failover> failovers;
  std::vector<Decision> decisions;
  std::vector<SplitBrain> splits;
  std::vector<ClockNote> notes;
  void state_change(const StateChange& c) override { changes.push_back(c); }
  void master_span(const MasterSpan& s) override { spans.push_back(s); }
  void failover(const Failover& f) override { failovers.push_back(f); }
  void decision(const Decision& d) override { decisions.push_back(d); }
  void split_brain(const SplitBrain& s) override { splits.push_back(s); }
  void clock_note(const ClockNote& n) override { notes.push_back(n); }
};

/// Feeds "SS.mmm NODE LEVEL TEXT" lines (seconds after 07:00:00 UTC) in the given order.
Summary feed(Collect& sink, std::initializer_list<const char*> lines) {
  Analyzer a(sink);
  for (const char* l : lines) {
    std::string s(l);
    const auto sp = s.find(' ');
    const auto stamp = "2026-12-01T07:00:" + s.substr(0, sp) + "+00:00";
    a.add(parse_line(stamp + s.substr(sp), "x"));
  }
  return a.finish(0);
}

constexpr Millis k0700 = 1796108400000;  // 2026-12-01T07:00:00Z

}  // namespace

TEST_CASE("a failover is one block from the first sign to the old master's fate", "[inspect]") {
  Collect c;
  const auto s = feed(
      c,
      {"00.000 n1 info [R] Entering MASTER state (master down timer expired, priority 100)",
       "00.100 n2 info [R] Entering BACKUP state (startup, priority 90)",
       "10.000 n1 warning [R] PING -> Failed (refused)",
       "12.000 n1 error [R] Redis 127.0.0.1:6379 is FAILED",
       "12.010 n1 info [R] Entering FAULT state (health check failed)",
       "12.600 n2 info [R] Entering MASTER state (priority 0 advert from 192.0.2.11, priority 90)",
       "12.610 n2 info [R] VIP 192.0.2.100/24 added on eth0",
       "12.640 n2 info [R] Redis is now master (REPLICAOF NO ONE)",
       "15.000 n1 info [R] Redis is now replica of 192.0.2.12 (REPLICAOF 192.0.2.12 6379; it "
       "took 14 bytes of replication stream after the new master took over)"});
  REQUIRE(c.failovers.size() == 1);
  const auto& f = c.failovers[0];
  CHECK(f.old_master == "n1");
  CHECK(f.new_master == "n2");
  CHECK(f.start == k0700 + 10'000);  // the first failed PING
  CHECK(f.first_sign == "n1: PING -> Failed (refused)");
  CHECK(f.new_master_at - f.start == 2'600);
  CHECK(*f.vip_at - f.start == 2'610);
  CHECK(*f.promoted_at - f.start == 2'640);
  CHECK(f.discarded_bytes == 14);
  CHECK(f.old_fate == "demoted: replica of 192.0.2.12; discarded 14 bytes");
  CHECK(s.failovers == 1);
  CHECK(s.longest_without_master == 590);  // n1 left at 12.010, n2 took over at 12.600
  CHECK(s.split_brains == 0);
  REQUIRE(c.spans.size() == 2);
  CHECK(c.spans[0].node == "n1");
  CHECK(c.spans[0].to - c.spans[0].from == 12'010);
  CHECK(s.open_masters.size() == 1);
  CHECK(s.open_masters[0].node == "n2");
  CHECK(c.notes.empty());
}

TEST_CASE("the end of a switchover's priority 254 is no first sign of a later failover",
          "[inspect]") {
  Collect c;
  feed(c,
       {"00.000 n1 info [R] Entering MASTER state (master down timer expired, priority 150)",
        "00.100 n2 info [R] Entering BACKUP state (startup, priority 100)",
        "10.000 n2 info [R] Entering MASTER state (higher priority 254 than the Master's 150, "
        "priority 254)",
        "10.001 n1 info [R] Entering BACKUP state (higher priority 254 advert from 192.0.2.12, "
        "priority 150)",
        "14.000 n2 info [R] Switchover priority 254 ends (Master for Master_Down_Interval): "
        "advertising the configured priority 100 again",
        "14.000 n2 info [R] Effective priority 254 -> 100 (priority 100, tracked scripts +0)",
        "18.000 n2 warning [R] PING -> Failed (refused)",
        "18.500 n2 info [R] Entering FAULT state (health check failed)",
        "19.100 n1 info [R] Entering MASTER state (priority 0 advert from 192.0.2.12, "
        "priority 150)"});
  REQUIRE(c.failovers.size() == 2);  // the switchover, then the fault
  const auto& f = c.failovers[1];
  CHECK(f.old_master == "n2");
  CHECK(f.new_master == "n1");
  CHECK(f.first_sign == "n2: PING -> Failed (refused)");
  CHECK(f.new_master_at - f.start == 1'100);
}

TEST_CASE("two masters longer than a handover are a split brain, a handover is not", "[inspect]") {
  Collect split;
  auto s = feed(
      split, {"00.000 n1 info [R] Entering MASTER state (master down timer expired, priority 100)",
              "05.000 n2 info [R] Entering MASTER state (master down timer expired, priority 90)",
              "07.000 n1 warning [R] Rejected advert (auth_password): from 192.0.2.9",
              "09.500 n1 info [R] Entering BACKUP state (higher priority 100 advert from "
              "192.0.2.12, priority 100)"});
  REQUIRE(split.splits.size() == 1);
  CHECK(split.splits[0].to - split.splits[0].from == 4'500);
  CHECK(s.split_brains == 1);
  CHECK(s.split_brain_ms == 4'500);

  Collect handover;
  s = feed(handover,
           {"00.000 n1 info [R] Entering MASTER state (master down timer expired, priority 100)",
            "05.000 n2 info [R] Entering MASTER state (switchover, priority 254)",
            "05.004 n1 info [R] Entering BACKUP state (higher priority 254 advert from "
            "192.0.2.12, priority 100)"});
  CHECK(handover.splits.empty());
  CHECK(s.split_brains == 0);
  CHECK(s.failovers == 1);
}

TEST_CASE("a master killed without a word: its end is presumed, no split brain", "[inspect]") {
  Collect c;
  const auto s =
      feed(c, {"00.000 n1 info [R] Entering MASTER state (master down timer expired, priority 100)",
               "01.000 n2 info [R] Master is now 192.0.2.11", "10.000 n2 info [R] Master unknown",
               "10.100 n2 info [R] Entering MASTER state (master down timer expired, priority 90)",
               "20.000 n1 info [R] Started on eth0 (primary address 192.0.2.11, VRID 55, "
               "priority 100, VRRPv2)"});
  CHECK(s.split_brains == 0);
  REQUIRE(c.failovers.size() == 1);
  CHECK(c.failovers[0].first_sign == "n2: adverts from the master stopped (seen by n2)");
  CHECK(c.failovers[0].old_fate == "restarted");
  CHECK(s.longest_without_master == 100);
  REQUIRE_FALSE(c.spans.empty());
  CHECK(c.spans[0].node == "n1");
  CHECK(c.spans[0].end_presumed);
  CHECK(c.spans[0].to == k0700 + 10'100);
}

TEST_CASE("an effect logged before its cause says the clocks differ", "[inspect]") {
  Collect c;
  feed(c, {"00.000 n1 info [R] Entering MASTER state (master down timer expired, priority 100)",
           "05.000 n2 info [R] Entering MASTER state (priority 0 advert from 192.0.2.11, "
           "priority 90)",
           "05.800 n1 info [R] VIP released, priority 0 sent; waiting up to 4000 ms for the new "
           "master"});
  REQUIRE(c.notes.size() == 1);
  CHECK(c.notes[0].text.find("their clocks differ") != std::string::npos);
}

TEST_CASE("decisions and noise are reported, repeated lines summarized", "[inspect]") {
  Collect c;
  const auto s = feed(
      c, {"00.000 n3 warning [R] Not eligible to be master: has not completed a sync with a "
          "master; advertising priority 1",
          "01.000 n3 warning [R] Rejected advert (auth_password): from 192.0.2.9",
          "02.000 n3 warning [R] Rejected advert (auth_password): from 192.0.2.9 [41 more since "
          "last report]",
          "30.000 n3 warning [R] Rejected advert (auth_password): from 192.0.2.9"});
  REQUIRE(c.decisions.size() == 1);
  CHECK(c.decisions[0].event == "not_eligible");
  REQUIRE(s.noise.size() == 1);
  CHECK(s.noise[0].lines == 3);
  CHECK(s.noise[0].count == 44);
  CHECK(s.noise[0].bursts == 2);
  CHECK(s.noise[0].key == "auth_password");
}

TEST_CASE("times and durations are written the same way everywhere", "[inspect]") {
  CHECK(format_time(k0700 + 1'234) == "2026-12-01 07:00:01.234");
  CHECK(format_clock(k0700 + 61'005) == "07:01:01.005");
  CHECK(format_duration(612) == "0.612 s");
  CHECK(format_duration(129'766) == "2 min 9.766 s");
  CHECK(format_duration(3'723'000) == "1 h 2 min 3.000 s");
}
