// Every election rule of DESIGN.md section 3 / RFC 5798 section 6.4 as one
// test case, driven by a virtual clock (no sleeps).

#include "net/vrrp/state_machine.hpp"

#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <vector>

using namespace redkeep::net::vrrp;
using redkeep::net::IpAddress;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

const TimePoint t0{};  // the virtual clock's origin

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

ElectionParams params(std::uint8_t priority, const char* address = "192.0.2.11",
                      Version version = Version::v2) {
  ElectionParams p;
  p.vrid = 55;
  p.version = version;
  p.priority = priority;
  p.advert_interval = Centiseconds(100);
  p.primary_address = ip(address);
  return p;
}

PeerAdvert advert(const char* source, std::uint8_t priority,
                      Centiseconds adver_int = Centiseconds(100)) {
  return PeerAdvert{ip(source), priority, adver_int};
}

/// Actions rendered as short strings, so a test can assert kind and order.
std::vector<std::string> render(const Actions& actions) {
  std::vector<std::string> out;
  for (const auto& a : actions) {
    if (auto* s = std::get_if<SendAdvert>(&a)) {
      out.push_back("advert " + std::to_string(s->priority));
    } else if (auto* c = std::get_if<StateChanged>(&a)) {
      out.push_back(std::string(to_string(c->from)) + "->" + to_string(c->to));
    } else if (std::holds_alternative<AddVips>(a)) {
      out.push_back("add vips");
    } else if (std::holds_alternative<RemoveVips>(a)) {
      out.push_back("remove vips");
    } else if (auto* m = std::get_if<MasterChanged>(&a)) {
      out.push_back("master " + (m->self ? std::string("self")
                                         : m->master ? m->master->to_string() : "none"));
    }
  }
  return out;
}

using Strings = std::vector<std::string>;

std::string reason_of(const Actions& actions) {
  for (const auto& a : actions)
    if (auto* c = std::get_if<StateChanged>(&a)) return c->reason;
  return "";
}

/// Advances the virtual clock to `until`, firing every deadline on the way.
Actions run_until(StateMachine& sm, TimePoint until) {
  Actions all;
  for (int guard = 0; guard < 100000; ++guard) {
    auto deadline = sm.next_deadline();
    if (!deadline || *deadline > until) return all;
    auto actions = sm.timer_tick(*deadline);
    all.insert(all.end(), actions.begin(), actions.end());
  }
  FAIL("timer loop did not settle");
  return all;
}

/// Starts a Backup and lets its Master_Down_Timer expire: a Master at the end.
StateMachine running_master(ElectionParams p) {
  StateMachine sm(std::move(p));
  sm.startup(t0);
  run_until(sm, *sm.next_deadline());
  REQUIRE(sm.state() == State::master);
  return sm;
}

/// A few routers on one instant, loss-free link. Adverts a node sends reach
/// every other connected node at the same virtual time.
struct Lab {
  TimePoint now = t0;
  std::vector<StateMachine> nodes;
  std::vector<bool> connected;
  std::vector<std::vector<std::string>> log;  // rendered actions per node

  void add(ElectionParams p) {
    nodes.emplace_back(std::move(p));
    connected.push_back(true);
    log.emplace_back();
  }
  void apply(std::size_t i, const Actions& actions, int depth = 0) {
    REQUIRE(depth < 16);
    for (auto& s : render(actions)) log[i].push_back(s);
    if (!connected[i]) return;
    for (const auto& a : actions) {
      auto* send = std::get_if<SendAdvert>(&a);
      if (!send) continue;
      const auto& from = nodes[i].params();
      for (std::size_t j = 0; j < nodes.size(); ++j) {
        if (j == i || !connected[j]) continue;
        apply(j,
              nodes[j].advert_received({from.primary_address, send->priority, from.advert_interval},
                                       now),
              depth + 1);
      }
    }
  }
  void start(std::size_t i) { apply(i, nodes[i].startup(now)); }
  void run_until(TimePoint until) {
    for (int guard = 0; guard < 100000; ++guard) {
      std::optional<TimePoint> next;
      std::size_t who = 0;
      for (std::size_t i = 0; i < nodes.size(); ++i) {
        auto d = nodes[i].next_deadline();
        if (d && (!next || *d < *next)) next = d, who = i;
      }
      if (!next || *next > until) break;
      now = *next;
      apply(who, nodes[who].timer_tick(now));
    }
    now = until;
  }
  std::vector<State> states() const {
    std::vector<State> s;
    for (auto& n : nodes) s.push_back(n.state());
    return s;
  }
};

}  // namespace

TEST_CASE("State names are keepalived's", "[vrrp][election]") {
  CHECK(std::string(to_string(State::initialize)) == "INIT");
  CHECK(std::string(to_string(State::backup)) == "BACKUP");
  CHECK(std::string(to_string(State::master)) == "MASTER");
  CHECK(std::string(to_string(State::fault)) == "FAULT");
}

TEST_CASE("Out-of-range parameters are refused", "[vrrp][election]") {
  CHECK_THROWS_AS(StateMachine(params(255)), std::invalid_argument);
  CHECK_THROWS_AS(StateMachine(params(0)), std::invalid_argument);
  auto p = params(100);
  p.vrid = 0;
  CHECK_THROWS_AS(StateMachine(p), std::invalid_argument);
  p = params(100);
  p.advert_interval = Centiseconds(0);
  CHECK_THROWS_AS(StateMachine(p), std::invalid_argument);
  p = params(100);
  p.initial_state = State::fault;
  CHECK_THROWS_AS(StateMachine(p), std::invalid_argument);
  CHECK_NOTHROW(StateMachine(params(254)));
  CHECK_NOTHROW(StateMachine(params(1)));
}

TEST_CASE("Startup goes to Backup, and Master_Down_Timer expiry makes it Master", "[vrrp][election]") {
  StateMachine sm(params(100));
  CHECK(sm.state() == State::initialize);
  CHECK_FALSE(sm.next_deadline());

  auto a = sm.startup(t0);
  CHECK(render(a) == Strings{"INIT->BACKUP"});
  CHECK(sm.state() == State::backup);
  // 3 x 1 s + (256 - 100)/256 s
  REQUIRE(sm.next_deadline() == t0 + microseconds(3'609'375));

  // One microsecond early: nothing happens.
  CHECK(sm.timer_tick(t0 + microseconds(3'609'374)).empty());
  CHECK(sm.state() == State::backup);

  a = sm.timer_tick(t0 + microseconds(3'609'375));
  CHECK(render(a) == Strings{"BACKUP->MASTER", "advert 100", "add vips", "master self"});
  CHECK(reason_of(a) == "master down timer expired");
  CHECK(sm.state() == State::master);
  CHECK(sm.master_is_self());
  CHECK(sm.transitions() == 2);
  CHECK(sm.startup(t0 + seconds(5)).empty());  // only from Initialize
}

TEST_CASE("keepalived state MASTER takes over at startup", "[vrrp][election]") {
  auto p = params(100);
  p.initial_state = State::master;
  StateMachine sm(p);
  auto a = sm.startup(t0);
  CHECK(render(a) == Strings{"INIT->MASTER", "advert 100", "add vips", "master self"});
  CHECK(sm.next_deadline() == t0 + seconds(1));
}

TEST_CASE("Master sends an advert every Advertisement_Interval", "[vrrp][election]") {
  auto p = params(100);
  p.advert_interval = Centiseconds(50);
  auto sm = running_master(p);
  const TimePoint became = *sm.next_deadline() - milliseconds(500);
  auto a = run_until(sm, became + seconds(10));
  CHECK(render(a) == Strings(20, "advert 100"));
  CHECK(sm.next_deadline() == became + milliseconds(10'500));
}

TEST_CASE("v3 Backup learns Master_Adver_Interval from the master's adverts",
          "[vrrp][election]") {
  StateMachine sm(params(100, "192.0.2.11", Version::v3));
  sm.startup(t0);
  CHECK(sm.master_adver_interval() == Centiseconds(100));
  sm.advert_received(advert("192.0.2.12", 150, Centiseconds(20)), t0 + milliseconds(100));
  CHECK(sm.master_adver_interval() == Centiseconds(20));
  // 3 x 200 ms + (156 x 200 ms)/256
  CHECK(sm.master_down_interval() == microseconds(600'000 + 121'875));
  CHECK(sm.next_deadline() == t0 + milliseconds(100) + microseconds(721'875));
}

TEST_CASE("v2 Backup keeps its own interval whatever the advert says", "[vrrp][election]") {
  StateMachine sm(params(100));
  sm.startup(t0);
  sm.advert_received(advert("192.0.2.12", 150, Centiseconds(300)), t0 + milliseconds(100));
  CHECK(sm.master_adver_interval() == Centiseconds(100));
  CHECK(sm.next_deadline() == t0 + milliseconds(100) + microseconds(3'609'375));
}

TEST_CASE("Backup receiving priority 0 sets Master_Down_Timer to Skew_Time",
          "[vrrp][election]") {
  StateMachine sm(params(100));
  sm.startup(t0);
  sm.advert_received(advert("192.0.2.12", 150), t0 + seconds(1));
  CHECK(sm.master_address() == ip("192.0.2.12"));

  auto a = sm.advert_received(advert("192.0.2.12", 0), t0 + seconds(2));
  CHECK(render(a) == Strings{"master none"});
  REQUIRE(sm.next_deadline() == t0 + seconds(2) + microseconds(609'375));
  a = run_until(sm, t0 + seconds(3));
  CHECK(render(a).front() == "BACKUP->MASTER");
  CHECK(reason_of(a) == "priority 0 advert from 192.0.2.12");
}

TEST_CASE("The Master is overdue 1.5 Master_Adver_Interval after its last advert, at once "
          "after priority 0", "[vrrp][election]") {
  StateMachine sm(params(100));
  CHECK_FALSE(sm.master_overdue_at());  // Initialize
  sm.startup(t0);
  sm.advert_received(advert("192.0.2.12", 150), t0 + seconds(1));
  CHECK(sm.master_overdue_at() == t0 + milliseconds(2500));
  // Not eligible: Skew_Time grows, the timer moves with it, the overdue point does not.
  sm.priority_inputs({false, 0}, t0 + seconds(2));
  CHECK(sm.master_overdue_at() == t0 + milliseconds(2500));
  sm.priority_inputs({true, 0}, t0 + seconds(2));
  sm.advert_received(advert("192.0.2.12", 0), t0 + seconds(3));
  REQUIRE(sm.master_overdue_at());
  CHECK(*sm.master_overdue_at() < t0 + seconds(3));
  run_until(sm, t0 + seconds(4));
  REQUIRE(sm.state() == State::master);
  CHECK_FALSE(sm.master_overdue_at());
}

TEST_CASE("Backup receiving higher or equal priority resets Master_Down_Timer",
          "[vrrp][election]") {
  StateMachine sm(params(100));
  sm.startup(t0);
  const auto mdi = microseconds(3'609'375);
  for (int i = 1; i <= 10; ++i) {
    const auto now = t0 + seconds(i);
    auto a = sm.advert_received(advert("192.0.2.12", i % 2 ? 150 : 100), now);
    CHECK(sm.next_deadline() == now + mdi);
    CHECK(run_until(sm, now + milliseconds(999)).empty());
  }
  CHECK(sm.state() == State::backup);
  CHECK(sm.master_address() == ip("192.0.2.12"));
}

TEST_CASE("Backup with preempt discards lower priority adverts and takes over",
          "[vrrp][election]") {
  StateMachine sm(params(150));
  sm.startup(t0);
  sm.advert_received(advert("192.0.2.12", 200), t0 + seconds(1));
  const auto deadline = *sm.next_deadline();  // armed by the 200 advert
  // The master's priority drops to 100 (below ours): adverts are discarded,
  // the timer is not reset, we take over when it expires.
  for (int i = 2; i <= 4; ++i) {
    sm.advert_received(advert("192.0.2.12", 100), t0 + seconds(i));
    CHECK(sm.next_deadline() == deadline);
    CHECK(sm.master_address() == ip("192.0.2.12"));
  }
  auto a = run_until(sm, deadline);
  CHECK(render(a) == Strings{"BACKUP->MASTER", "advert 150", "add vips", "master self"});
  CHECK(reason_of(a) == "preempt: own priority 150 > master's 100");
}

TEST_CASE("nopreempt: a Backup never takes over from a live lower-priority master",
          "[vrrp][election]") {
  auto p = params(150);
  p.nopreempt = true;
  StateMachine sm(p);
  sm.startup(t0);
  for (int i = 1; i <= 60; ++i) {
    const auto now = t0 + seconds(i);
    sm.advert_received(advert("192.0.2.12", 50), now);
    CHECK(sm.next_deadline() == now + sm.master_down_interval());
    run_until(sm, now + milliseconds(999));
  }
  CHECK(sm.state() == State::backup);
  // The master dies: nopreempt does not stop the normal takeover.
  auto a = run_until(sm, t0 + seconds(70));
  CHECK(reason_of(a) == "master down timer expired");
  CHECK(sm.state() == State::master);
}

TEST_CASE("preempt_delay: a higher Backup waits preempt_delay before taking over",
          "[vrrp][election]") {
  auto p = params(150);
  p.preempt_delay = seconds(10);
  StateMachine sm(p);
  sm.startup(t0);
  // A live master of priority 100 adverts every second from t0 + 1 s.
  // t0+1: the delay starts (ends t0+11). Adverts until then reset the timer.
  TimePoint took_over{};
  for (int i = 1; i <= 30 && sm.state() == State::backup; ++i) {
    const auto now = t0 + seconds(i);
    sm.advert_received(advert("192.0.2.12", 100), now);
    auto a = run_until(sm, now + milliseconds(999));
    if (!a.empty()) {
      CHECK(reason_of(a) == "preempt: own priority 150 > master's 100");
      took_over = now;  // within this second
    }
    if (i <= 11) CHECK(sm.state() == State::backup);
  }
  REQUIRE(sm.state() == State::master);
  // Last reset at t0+10 s (t0+11 is no longer "before the delay ends"), then
  // Master_Down_Interval = 3 s + 414062 us: master at t0 + 13.414 s.
  CHECK(took_over == t0 + seconds(13));
}

TEST_CASE("preempt_delay is cancelled by an advert of priority >= ours", "[vrrp][election]") {
  auto p = params(150);
  p.preempt_delay = seconds(10);
  StateMachine sm(p);
  sm.startup(t0);
  sm.advert_received(advert("192.0.2.12", 100), t0 + seconds(1));  // delay starts
  sm.advert_received(advert("192.0.2.13", 200), t0 + seconds(2));  // cancelled
  // The 200 master resigns; the 100 one is back at t0+12: the delay starts
  // again from there, so at t0+13 (past the first delay's end) its adverts
  // still reset the timer.
  sm.advert_received(advert("192.0.2.13", 0), t0 + seconds(11));
  sm.advert_received(advert("192.0.2.12", 100), t0 + seconds(12));
  sm.advert_received(advert("192.0.2.12", 100), t0 + seconds(13));
  CHECK(sm.next_deadline() == t0 + seconds(13) + sm.master_down_interval());
  CHECK(sm.snapshot().preempt_time == t0 + seconds(22));
}

TEST_CASE("Master receiving priority 0 sends an advert at once", "[vrrp][election]") {
  auto sm = running_master(params(100));
  const auto now = *sm.next_deadline() - milliseconds(700);
  auto a = sm.advert_received(advert("192.0.2.12", 0), now);
  CHECK(render(a) == Strings{"advert 100"});
  CHECK(sm.next_deadline() == now + seconds(1));
  CHECK(sm.state() == State::master);
}

TEST_CASE("Master receiving a higher priority goes to Backup", "[vrrp][election]") {
  auto sm = running_master(params(100));
  const auto now = *sm.next_deadline() - milliseconds(500);
  auto a = sm.advert_received(advert("192.0.2.12", 150), now);
  CHECK(render(a) == Strings{"remove vips", "MASTER->BACKUP", "master 192.0.2.12"});
  CHECK(reason_of(a) == "higher priority 150 advert from 192.0.2.12");
  CHECK(sm.state() == State::backup);
  CHECK(sm.next_deadline() == now + microseconds(3'609'375));
}

TEST_CASE("Master: equal priority from a higher address wins, from a lower one loses",
          "[vrrp][election]") {
  auto sm = running_master(params(100, "192.0.2.12"));
  const auto now = *sm.next_deadline() - milliseconds(500);

  auto a = sm.advert_received(advert("192.0.2.11", 100), now);
  CHECK(render(a) == Strings{"advert 100"});  // we win: re-advertise
  CHECK(sm.state() == State::master);
  CHECK(sm.next_deadline() == now + seconds(1));

  a = sm.advert_received(advert("192.0.2.13", 100), now + milliseconds(10));
  CHECK(render(a) == Strings{"remove vips", "MASTER->BACKUP", "master 192.0.2.13"});
  CHECK(reason_of(a) == "equal priority, higher address 192.0.2.13");
}

TEST_CASE("Master receiving a lower priority re-advertises at once and stays Master",
          "[vrrp][election]") {
  auto sm = running_master(params(150));
  const auto now = *sm.next_deadline() - milliseconds(300);
  auto a = sm.advert_received(advert("192.0.2.12", 100), now);
  CHECK(render(a) == Strings{"advert 150"});
  CHECK(sm.state() == State::master);
  CHECK(sm.next_deadline() == now + seconds(1));
}

TEST_CASE("Own adverts looped back are ignored", "[vrrp][election]") {
  auto sm = running_master(params(100, "192.0.2.11"));
  CHECK(sm.advert_received(advert("192.0.2.11", 100), t0 + seconds(5)).empty());
}

TEST_CASE("Shutdown of a Master releases the VIPs, then sends priority 0", "[vrrp][election]") {
  auto sm = running_master(params(100));
  auto a = sm.shutdown(t0 + seconds(10));
  CHECK(render(a) == Strings{"remove vips", "advert 0", "MASTER->INIT", "master none"});
  CHECK(reason_of(a) == "shutdown");
  CHECK(sm.state() == State::initialize);
  CHECK_FALSE(sm.next_deadline());

  StateMachine backup(params(100));
  backup.startup(t0);
  CHECK(render(backup.shutdown(t0 + seconds(1))) == Strings{"BACKUP->INIT"});
  CHECK_FALSE(backup.next_deadline());
}

TEST_CASE("A failed check sends a Master to Fault with priority 0, VIPs released",
          "[vrrp][election]") {
  auto sm = running_master(params(100));
  auto a = sm.check_status(true, t0 + seconds(10));
  CHECK(render(a) == Strings{"remove vips", "advert 0", "MASTER->FAULT", "master none"});
  CHECK(reason_of(a) == "health check failed");
  CHECK_FALSE(sm.next_deadline());
  CHECK(sm.timer_tick(t0 + seconds(20)).empty());

  // A Backup goes to Fault without sending anything.
  StateMachine backup(params(100));
  backup.startup(t0);
  CHECK(render(backup.check_status(true, t0 + seconds(1))) == Strings{"BACKUP->FAULT"});
}

TEST_CASE("Recovery from Fault goes to Backup with a fresh Master_Down_Timer",
          "[vrrp][election]") {
  auto sm = running_master(params(100));
  sm.check_status(true, t0 + seconds(10));
  // In Fault the node keeps following the master (for Redis replication).
  auto a = sm.advert_received(advert("192.0.2.12", 50), t0 + seconds(11));
  CHECK(render(a) == Strings{"master 192.0.2.12"});
  CHECK(sm.state() == State::fault);

  a = sm.check_status(false, t0 + seconds(12));
  CHECK(render(a) == Strings{"FAULT->BACKUP"});
  CHECK(reason_of(a) == "health check recovered");
  CHECK(sm.next_deadline() == t0 + seconds(12) + microseconds(3'609'375));
}

TEST_CASE("Interface down goes to Fault, and up again goes to Backup", "[vrrp][election]") {
  auto sm = running_master(params(100));
  auto a = sm.interface_status(false, t0 + seconds(10));
  // The link is gone: no priority 0 advert, but the VIPs are released.
  CHECK(render(a) == Strings{"remove vips", "MASTER->FAULT", "master none"});
  CHECK(reason_of(a) == "interface down");

  // Both fault inputs must clear before leaving Fault.
  sm.check_status(true, t0 + seconds(11));
  CHECK(sm.interface_status(true, t0 + seconds(12)).empty());
  CHECK(sm.state() == State::fault);
  a = sm.check_status(false, t0 + seconds(13));
  CHECK(render(a) == Strings{"FAULT->BACKUP"});

  // Interface down before startup: start in Fault.
  StateMachine cold(params(100));
  CHECK(cold.interface_status(false, t0).empty());
  a = cold.startup(t0);
  CHECK(render(a) == Strings{"INIT->FAULT"});
  CHECK(reason_of(a) == "interface down");
  CHECK(render(cold.interface_status(true, t0 + seconds(1))) == Strings{"FAULT->BACKUP"});
}

TEST_CASE("A Master whose adverts cannot be sent steps down at the second failure in a row",
          "[vrrp][election]") {
  auto sm = running_master(params(100));
  const TimePoint became = t0 + sm.master_down_interval();
  CHECK_FALSE(sm.advertising());  // the VIPs wait for the first advert that went out
  CHECK(sm.advert_send_result(true, became).empty());
  CHECK(sm.advertising());

  // One failed advert is tolerated, as peers tolerate one lost.
  CHECK(render(sm.timer_tick(became + seconds(1))) == Strings{"advert 100"});
  CHECK(sm.advert_send_result(false, became + seconds(1)).empty());
  CHECK(sm.state() == State::master);
  // The next Adver_Timer tick, a little less than one interval later as results may arrive:
  // nothing has gone out for longer than one interval.
  sm.timer_tick(became + seconds(2));
  auto a = sm.advert_send_result(false, became + milliseconds(1990));
  CHECK(render(a) == Strings{"remove vips", "advert 0", "MASTER->FAULT", "master none"});
  CHECK(reason_of(a) == "adverts cannot be sent");
  CHECK_FALSE(sm.advertising());
}

TEST_CASE("An advert re-sent at once does not count as the second failure", "[vrrp][election]") {
  auto sm = running_master(params(100));
  const TimePoint became = t0 + sm.master_down_interval();
  sm.advert_send_result(true, became);
  sm.timer_tick(became + seconds(1));
  CHECK(sm.advert_send_result(false, became + seconds(1)).empty());
  // A lower-priority advert makes the Master answer at once: that send fails too.
  sm.advert_received(advert("192.0.2.12", 50), became + milliseconds(1100));
  CHECK(sm.advert_send_result(false, became + milliseconds(1100)).empty());
  CHECK(sm.state() == State::master);
  // A success ends the run of failures: the count starts again.
  CHECK(sm.advert_send_result(true, became + milliseconds(2100)).empty());
  CHECK(sm.advert_send_result(false, became + milliseconds(3100)).empty());
  CHECK(sm.state() == State::master);
}

TEST_CASE("In Fault for unsendable adverts a priority 0 probe goes out every interval until one "
          "is sent",
          "[vrrp][election]") {
  auto sm = running_master(params(100));
  const TimePoint became = t0 + sm.master_down_interval();
  sm.advert_send_result(false, became);
  sm.advert_send_result(false, became + seconds(1));
  REQUIRE(sm.state() == State::fault);
  // The priority 0 advert of leaving Master failed as well: no change.
  CHECK(sm.advert_send_result(false, became + seconds(1)).empty());
  CHECK(sm.next_deadline() == became + seconds(2));
  CHECK(render(sm.timer_tick(became + seconds(2))) == Strings{"advert 0"});
  CHECK(sm.advert_send_result(false, became + seconds(2)).empty());
  CHECK(sm.next_deadline() == became + seconds(3));
  // A Redis check failing meanwhile: both causes must clear.
  CHECK(sm.check_status(true, became + milliseconds(2500)).empty());
  CHECK(render(sm.timer_tick(became + seconds(3))) == Strings{"advert 0"});
  CHECK(sm.advert_send_result(true, became + seconds(3)).empty());
  CHECK(sm.state() == State::fault);
  CHECK_FALSE(sm.next_deadline());  // no more probes: sending works
  auto a = sm.check_status(false, became + seconds(4));
  CHECK(render(a) == Strings{"FAULT->BACKUP"});

  // Sending alone: the first probe that goes out ends the fault.
  auto other = running_master(params(100));
  other.advert_send_result(false, became);
  other.advert_send_result(false, became + seconds(1));
  other.timer_tick(became + seconds(2));
  a = other.advert_send_result(true, became + seconds(2));
  CHECK(render(a) == Strings{"FAULT->BACKUP"});
  CHECK(reason_of(a) == "adverts can be sent again");
  CHECK(other.next_deadline() == became + seconds(2) + other.master_down_interval());
}

TEST_CASE("Send results outside Master are ignored, and a restored Fault keeps probing",
          "[vrrp][election]") {
  StateMachine backup(params(100));
  backup.startup(t0);
  CHECK(backup.advert_send_result(false, t0 + seconds(1)).empty());
  CHECK(backup.advert_send_result(false, t0 + seconds(2)).empty());
  CHECK(backup.state() == State::backup);
  CHECK_FALSE(backup.advertising());

  auto sm = running_master(params(100));
  const TimePoint became = t0 + sm.master_down_interval();
  sm.advert_send_result(false, became);
  sm.advert_send_result(false, became + seconds(1));
  REQUIRE(sm.state() == State::fault);
  StateMachine restored(params(100));
  REQUIRE(restored.restore(sm.snapshot(), became + seconds(5)));
  CHECK(restored.state() == State::fault);
  CHECK(restored.next_deadline() == became + seconds(5));
  CHECK(render(restored.timer_tick(became + seconds(5))) == Strings{"advert 0"});
  CHECK(render(restored.advert_send_result(true, became + seconds(5))) ==
        Strings{"FAULT->BACKUP"});
}

TEST_CASE("Two floor-priority Masters: a cut-off one holds the address tie-break for one "
          "interval while histories are compared",
          "[vrrp][election]") {
  auto sm = running_master(params(150, "192.0.2.11"));
  const TimePoint t = t0 + seconds(20);
  sm.priority_inputs({false, 0, true}, t);  // cut off: floor, holding the tie
  REQUIRE(sm.effective_priority() == kFloorPriority);
  // The other floor Master has the higher address: by RFC 5798 6.4.3 this one would yield.
  auto a = sm.advert_received(advert("192.0.2.12", 1), t + milliseconds(100));
  CHECK(render(a) == Strings{"advert 1"});
  CHECK(sm.state() == State::master);
  a = sm.advert_received(advert("192.0.2.12", 1), t + milliseconds(900));
  CHECK(sm.state() == State::master);
  // One interval after the first: the comparison did not settle it, the address does.
  a = sm.advert_received(advert("192.0.2.12", 1), t + milliseconds(1100));
  CHECK(sm.state() == State::backup);
  CHECK(reason_of(a) == "equal priority, higher address 192.0.2.12");

  // Without the hold (or once conceded) the address decides at once.
  auto plain = running_master(params(150, "192.0.2.11"));
  plain.priority_inputs({false, 0, false}, t);
  plain.advert_received(advert("192.0.2.12", 1), t + milliseconds(100));
  CHECK(plain.state() == State::backup);
  // The hold applies to floor-priority ties only.
  auto higher = running_master(params(150, "192.0.2.11"));
  higher.priority_inputs({false, 0, true}, t);
  higher.advert_received(advert("192.0.2.12", 100), t + milliseconds(100));
  CHECK(higher.state() == State::backup);
}

TEST_CASE("Effective priority: floor 1 when not eligible, weights clamped to 1..254",
          "[vrrp][election]") {
  StateMachine sm(params(100));
  CHECK(sm.effective_priority() == 100);
  sm.priority_inputs({true, 30}, t0);
  CHECK(sm.effective_priority() == 130);
  sm.priority_inputs({true, 200}, t0);
  CHECK(sm.effective_priority() == 254);
  sm.priority_inputs({true, -150}, t0);
  CHECK(sm.effective_priority() == 1);
  sm.priority_inputs({false, 50}, t0);
  CHECK(sm.effective_priority() == 1);
  // Skew_Time follows the effective priority.
  CHECK(sm.skew_time() == microseconds(996'093));
}

TEST_CASE("A Master that is not eligible keeps advertising the floor priority",
          "[vrrp][election]") {
  auto sm = running_master(params(150));
  const auto now = *sm.next_deadline() - milliseconds(500);
  auto a = sm.priority_inputs({false, 0}, now);
  CHECK(render(a) == Strings{"advert 1"});  // at once, not at the next tick
  CHECK(sm.state() == State::master);
  CHECK(render(run_until(sm, now + seconds(3))) == Strings(3, "advert 1"));
  CHECK(sm.priority_inputs({false, 0}, now + seconds(3)).empty());  // unchanged
  CHECK(render(sm.priority_inputs({true, 0}, now + seconds(3))) == Strings{"advert 150"});
}

TEST_CASE("A peer of higher effective priority takes over from an ineligible Master",
          "[vrrp][election]") {
  Lab lab;
  lab.add(params(150, "192.0.2.11"));
  lab.add(params(100, "192.0.2.12"));
  lab.start(0);
  lab.run_until(t0 + seconds(5));
  lab.start(1);
  lab.run_until(t0 + seconds(10));
  REQUIRE(lab.states() == std::vector<State>{State::master, State::backup});
  CHECK(lab.nodes[1].master_address() == ip("192.0.2.11"));

  lab.apply(0, lab.nodes[0].priority_inputs({false, 0}, lab.now));
  lab.run_until(lab.now + seconds(5));
  CHECK(lab.states() == std::vector<State>{State::backup, State::master});
  CHECK(lab.nodes[0].master_address() == ip("192.0.2.12"));
}

TEST_CASE("Seed recipe: first node up is master, nopreempt keeps it, priority 0 hands over",
          "[vrrp][election]") {
  Lab lab;
  for (auto [prio, addr] : {std::pair<int, const char*>{150, "192.0.2.11"},
                            {100, "192.0.2.12"},
                            {50, "192.0.2.13"}}) {
    auto p = params(static_cast<std::uint8_t>(prio), addr);
    p.nopreempt = true;
    lab.add(p);
  }
  lab.start(2);  // the 50 node starts first
  lab.run_until(t0 + seconds(5));
  lab.start(0);
  lab.start(1);
  lab.run_until(t0 + seconds(60));
  CHECK(lab.states() == std::vector<State>{State::backup, State::backup, State::master});

  // The master stops: the 150 node takes over after its Skew_Time.
  const auto stop = lab.now;
  lab.apply(2, lab.nodes[2].shutdown(lab.now));
  lab.run_until(stop + microseconds(414'062));
  CHECK(lab.states() == std::vector<State>{State::master, State::backup, State::initialize});
  CHECK(lab.nodes[1].master_address() == ip("192.0.2.11"));
}

TEST_CASE("Restoring a Master resumes as Master without transition or priority 0",
          "[vrrp][election]") {
  auto sm = running_master(params(150));
  sm.priority_inputs({true, -20}, t0 + seconds(5));
  const auto snap = sm.snapshot();

  StateMachine restored(params(150));
  REQUIRE(restored.restore(snap, t0 + seconds(5) + milliseconds(10)));
  CHECK(restored.state() == State::master);
  CHECK(restored.master_is_self());
  CHECK(restored.effective_priority() == 130);
  CHECK(restored.transitions() == sm.transitions());
  CHECK(restored.next_deadline() == sm.next_deadline());
  auto a = run_until(restored, *restored.next_deadline());
  CHECK(render(a) == Strings{"advert 130"});
}

TEST_CASE("Restored under new settings (a reload), a Master takes its new priority and interval",
          "[vrrp][election]") {
  auto sm = running_master(params(150));
  const auto snap = sm.snapshot();
  auto changed = params(160);
  changed.advert_interval = Centiseconds(200);
  StateMachine restored(changed);
  REQUIRE(restored.restore(snap, t0 + seconds(5)));
  CHECK(restored.state() == State::master);
  CHECK(restored.effective_priority() == 160);
  CHECK(restored.master_adver_interval() == Centiseconds(200));
}

TEST_CASE("Restoring a Backup keeps its Master_Down_Timer", "[vrrp][election]") {
  StateMachine sm(params(100, "192.0.2.11", Version::v3));
  sm.startup(t0);
  sm.advert_received(advert("192.0.2.12", 150, Centiseconds(20)), t0 + seconds(1));
  const auto snap = sm.snapshot();

  StateMachine restored(params(100, "192.0.2.11", Version::v3));
  REQUIRE(restored.restore(snap, t0 + seconds(1) + milliseconds(100)));
  CHECK(restored.state() == State::backup);
  CHECK(restored.master_address() == ip("192.0.2.12"));
  CHECK(restored.master_adver_interval() == Centiseconds(20));
  CHECK(restored.next_deadline() == sm.next_deadline());
  auto a = run_until(restored, *sm.next_deadline());
  CHECK(render(a).front() == "BACKUP->MASTER");

  auto other = params(100);
  other.vrid = 56;
  StateMachine wrong(other);
  CHECK_FALSE(wrong.restore(snap, t0));
  CHECK(wrong.state() == State::initialize);
}

TEST_CASE("A Backup follows one Master and ignores weaker senders", "[vrrp][election]") {
  StateMachine sm(params(100));
  sm.startup(t0);
  sm.advert_received(advert("192.0.2.21", 150), t0 + seconds(1));
  REQUIRE(sm.master_address() == IpAddress::parse("192.0.2.21"));
  const auto deadline = sm.next_deadline();
  // A stray sender with a lower priority, then its priority 0: ignored, the
  // Master and the Master_Down_Timer stay.
  CHECK(sm.advert_received(advert("192.0.2.50", 1), t0 + seconds(2)).empty());
  CHECK(sm.advert_received(advert("192.0.2.50", 0), t0 + seconds(2)).empty());
  CHECK(sm.master_address() == IpAddress::parse("192.0.2.21"));
  CHECK(sm.next_deadline() == deadline);
  // One that beats the Master (higher priority) is followed.
  sm.advert_received(advert("192.0.2.13", 200), t0 + seconds(3));
  CHECK(sm.master_address() == IpAddress::parse("192.0.2.13"));
  // Equal priority from a higher address also beats it.
  sm.advert_received(advert("192.0.2.14", 200), t0 + seconds(4));
  CHECK(sm.master_address() == IpAddress::parse("192.0.2.14"));
}

TEST_CASE("A Backup follows a weaker Master that took over once the old one is overdue",
          "[vrrp][election]") {
  StateMachine sm(params(50));  // n3: the old master had 150, the one taking over has 100
  sm.startup(t0);
  sm.advert_received(advert("192.0.2.11", 150), t0 + seconds(1));
  // The old master goes silent; n2's Master_Down_Interval (3.61 s) ends before ours (3.80 s).
  auto a = sm.advert_received(advert("192.0.2.12", 100), t0 + seconds(1) + milliseconds(3610));
  CHECK(render(a) == Strings{"master 192.0.2.12"});
  CHECK(sm.next_deadline() == t0 + seconds(1) + milliseconds(3610) + microseconds(3'804'687));
  CHECK(run_until(sm, t0 + seconds(5)).empty());  // our own timer does not fire
  CHECK(sm.state() == State::backup);
}

TEST_CASE("A Backup that becomes unfit moves its Master_Down_Timer by the Skew_Time change",
          "[vrrp][election]") {
  StateMachine sm(params(100));
  sm.startup(t0);
  sm.advert_received(advert("192.0.2.21", 150), t0 + seconds(1));
  sm.advert_received(advert("192.0.2.21", 0), t0 + seconds(2));  // timer = Skew_Time(100)
  const auto skew_100 = sm.skew_time();
  REQUIRE(sm.next_deadline() == t0 + seconds(2) + skew_100);
  sm.priority_inputs({false, 0}, t0 + seconds(2) + milliseconds(100));  // floor priority 1
  CHECK(sm.next_deadline() == t0 + seconds(2) + sm.skew_time());
  CHECK(sm.skew_time() > skew_100);
  // Fit again: back to the shorter skew.
  sm.priority_inputs({true, 0}, t0 + seconds(2) + milliseconds(200));
  CHECK(sm.next_deadline() == t0 + seconds(2) + skew_100);
}

TEST_CASE("A Backup holds its takeover while its Master's Redis still serves through the VIP, "
          "and takes Master at once when released",
          "[vrrp][election][cut_off]") {
  StateMachine sm(params(100, "192.0.2.12"));
  sm.startup(t0);
  sm.advert_received(advert("192.0.2.11", 150), t0 + seconds(1));
  const auto fires = *sm.next_deadline();  // Master_Down_Interval after that advert
  sm.hold_takeover(true, fires - milliseconds(500));
  CHECK(sm.timer_tick(fires).empty());
  CHECK(sm.state() == State::backup);
  CHECK(sm.takeover_held());
  CHECK(sm.next_deadline() == fires + seconds(1));  // looked at again one interval later
  CHECK(sm.timer_tick(fires + seconds(1)).empty());
  // The VIP stopped answering: take over after Skew_Time, not at the next look.
  const auto released = fires + seconds(1) + milliseconds(300);
  sm.hold_takeover(false, released);
  REQUIRE(sm.next_deadline() == released + sm.skew_time());
  CHECK(render(sm.timer_tick(released + sm.skew_time())) ==
        Strings{"BACKUP->MASTER", "advert 100", "add vips", "master self"});

  // Released before the timer fired: Master_Down_Interval runs as usual.
  StateMachine early(params(100, "192.0.2.12"));
  early.startup(t0);
  early.advert_received(advert("192.0.2.11", 150), t0 + seconds(1));
  const auto due = *early.next_deadline();
  early.hold_takeover(true, t0 + seconds(2));
  early.hold_takeover(false, t0 + seconds(3));
  CHECK(early.next_deadline() == due);

  // A Master that resigned (priority 0) is not waited for, held or not.
  StateMachine resigned(params(100, "192.0.2.12"));
  resigned.startup(t0);
  resigned.advert_received(advert("192.0.2.11", 150), t0 + seconds(1));
  resigned.hold_takeover(true, t0 + seconds(2));
  resigned.advert_received(advert("192.0.2.11", 0), t0 + seconds(2));
  CHECK(resigned.state() == State::backup);
  resigned.timer_tick(*resigned.next_deadline());
  CHECK(resigned.state() == State::master);
}

TEST_CASE("A preempting Backup hears its Master: it is not overdue and a hold does not stop the "
          "preemption",
          "[vrrp][election][cut_off]") {
  auto p = params(150, "192.0.2.11");
  StateMachine sm(p);
  sm.startup(t0);
  sm.advert_received(advert("192.0.2.12", 100), t0 + milliseconds(100));
  const auto fires = *sm.next_deadline();
  CHECK_FALSE(sm.master_overdue_at());
  sm.hold_takeover(true, t0 + seconds(2));
  sm.advert_received(advert("192.0.2.12", 100), t0 + seconds(2));
  sm.timer_tick(fires);
  CHECK(sm.state() == State::master);
}

TEST_CASE("never_master: a Backup's timer never promotes it, whoever else is there",
          "[vrrp][election][never_master]") {
  StateMachine sm(params(254));
  sm.startup(t0);
  PriorityInputs never;
  never.never_master = true;
  CHECK(sm.priority_inputs(never, t0).empty());
  // Alone for a minute: every expiry re-arms the timer, nothing is sent, no VIP.
  TimePoint now = t0;
  for (int i = 0; i < 60; ++i) {
    now = *sm.next_deadline();
    CHECK(sm.timer_tick(now).empty());
    CHECK(sm.state() == State::backup);
  }
  // A lower-priority Master is heard: no preemption either.
  sm.advert_received(advert("192.0.2.12", 100), now);
  now = *sm.next_deadline();
  CHECK(sm.timer_tick(now).empty());
  CHECK(sm.state() == State::backup);
  // Switchover to it is refused.
  CHECK(sm.take_master(now, "switchover").empty());
  CHECK(sm.state() == State::backup);
  // Released: it takes Master after Skew_Time, as after a priority 0 advert.
  CHECK(sm.priority_inputs(PriorityInputs{}, now).empty());
  const auto fires = *sm.next_deadline();
  CHECK(fires <= now + sm.skew_time());
  CHECK(render(sm.timer_tick(fires)) ==
        Strings{"BACKUP->MASTER", "advert 254", "add vips", "master self"});
}

TEST_CASE("never_master: a Master leaves at once with a priority 0 advert, VIP off first",
          "[vrrp][election][never_master]") {
  auto p = params(100);
  p.initial_state = State::master;
  StateMachine sm(p);
  sm.startup(t0);
  REQUIRE(sm.state() == State::master);
  PriorityInputs never;
  never.never_master = true;
  const auto a = sm.priority_inputs(never, t0 + seconds(1));
  CHECK(render(a) == Strings{"remove vips", "advert 0", "MASTER->BACKUP", "master none"});
  CHECK(reason_of(a) == "may never be Master (replica-priority 0)");
  CHECK(sm.state() == State::backup);

  SECTION("and `state MASTER` starts as Backup while it holds") {
    StateMachine fresh(p);
    fresh.priority_inputs(never, t0);
    CHECK(render(fresh.startup(t0)) == Strings{"INIT->BACKUP"});
  }
}
