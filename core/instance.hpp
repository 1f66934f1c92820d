#pragma once
// One vrrp_instance's policy, pure: the VRRP state machine (net/vrrp), the data rules
// (core::Eligibility), the held takeover (core::TakeoverHold), the commanded-versus-confirmed
// bookkeeping of the VIP and of the Redis role, and the order between them (DESIGN.md
// sections 3 and 4). Events in (core/events.hpp), commands out (core/commands.hpp), time
// passed in: no CAF, no I/O, no clock reads. The election actor is its shell.

#include <array>
#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "config/model.hpp"
#include "core/commands.hpp"
#include "core/counters.hpp"
#include "core/eligibility.hpp"
#include "core/events.hpp"
#include "core/switchover.hpp"
#include "core/takeover_hold.hpp"
#include "core/tracked_scripts.hpp"
#include "net/vrrp/state_machine.hpp"

namespace redkeep::core {

using TimePoint = net::vrrp::TimePoint;

/// What a restarted election resumes from (kept by the supervisor).
struct Snapshot {
  net::vrrp::Snapshot machine;
  Counters counters;
  Eligibility eligibility{std::chrono::microseconds{0}};  ///< the data rules' state
  bool cold_start_overridden = false;                     ///< ColdStartOverride was received
  bool switchover_boost = false;  ///< a switchover's priority 254 holds (core/switchover.hpp)
  TrackedScripts scripts;         ///< the tracked scripts' counters
};

/// A Redis role: nullopt = master, else a replica of that address.
using RoleTarget = std::optional<net::IpAddress>;

/// "master", "replica of 192.0.2.1", or "" when no role was commanded (nullopt).
std::string role_text(const std::optional<RoleTarget>& role);

/// One vrrp_instance's policy (see the top of this file). Not thread-safe: one owner.
class Instance {
 public:
  /// `primary` is this node's address (adverts' source, RFC tie-break).
  Instance(config::VrrpInstance config, net::IpAddress primary);

  /// Resumes where a previous incarnation was, without a transition (before any event).
  Output resume(const Snapshot& snapshot, TimePoint now);

  /// Takes one event at `now` and returns what to do, in order.
  Output handle(const Event& event, TimePoint now);

  /// The resumable state.
  Snapshot snapshot() const;

  /// The status of `redkeep status`, as JSON text. `restarts` counts actor restarts by
  /// "actor[instance]" name (only this instance's are shown); `now` ages the last contact.
  std::string status_json(const std::map<std::string, std::uint64_t>& restarts,
                          TimePoint now) const;

  /// The VRRP state machine (state, priorities, timers), read-only.
  const net::vrrp::StateMachine& machine() const { return sm_; }
  /// The data rules' state (eligible, why not), read-only.
  const Eligibility& eligibility() const { return eligibility_; }
  const Counters& counters() const { return counters_; }
  /// The tracked scripts (vrrp_script + track_script) and their state, read-only.
  const TrackedScripts& scripts() const { return scripts_; }
  /// The cold start's latest verdict (state off when it does not apply).
  const ColdStartVerdict& cold_start() const { return cold_start_; }
  /// The VIP was commanded up and the vip actor confirmed it.
  bool vip_held() const { return vip_commanded_up_ && vip_confirmed_; }

 private:
  void on(const AdvertIn& e, TimePoint now);
  void on(const AdvertRejected& e, TimePoint now);
  void on(const AdvertSent& e, TimePoint now);
  void on(const VipDone& e, TimePoint now);
  void on(const LinkStatus& e, TimePoint now);
  void on(const GarpSent& e, TimePoint now);
  void on(const RedisHealth& e, TimePoint now);
  void on(const ProbeRound& e, TimePoint now);
  void on(const VipReached& e, TimePoint now);
  void on(const HistoryVerdict& e, TimePoint now);
  void on(const RoleDone& e, TimePoint now);
  void on(const Wired& e, TimePoint now);
  void on(const TimerFired& e, TimePoint now);
  void on(const OverdueDue& e, TimePoint now);
  void on(const Recheck& e, TimePoint now);
  void on(const Stop& e, TimePoint now);
  void on(const StopWaitOver& e, TimePoint now);
  void on(const ColdStartOverride& e, TimePoint now);
  void on(const SwitchoverStart& e, TimePoint now);
  void on(const CaughtUp& e, TimePoint now);
  void on(const SwitchoverDeadline& e, TimePoint now);
  void on(const ScriptRun& e, TimePoint now);
  void on(const ReplicationDiagnosis& e, TimePoint now);

  bool has_redis() const { return config_.redis.has_value(); }
  std::uint16_t redis_port() const { return has_redis() ? config_.redis->port : 6379; }
  void emit(Command c) { out_.push_back(std::move(c)); }
  void log(LogLevel level, LogKind kind, std::string text,
           std::vector<LogEvent::Field> fields = {});

  void command_vip(bool up);
  void command_role(const RoleTarget& master);
  std::optional<RoleTarget> desired_role() const;
  void reconcile();
  void execute(const net::vrrp::Actions& actions, TimePoint now);
  void arm_timer(TimePoint now);
  void update_master_overdue(TimePoint now);
  void apply_takeover_hold(TimePoint now);
  void apply_data_rules(net::vrrp::Actions& actions, TimePoint now);
  void run_data_rules(TimePoint now);
  bool synced_with_master(const RedisHealth& h) const;
  void correct_role_drift(const RedisHealth& h);
  void judge_cold_start(const RedisHealth& h);
  void garp_for_lower_master(const net::vrrp::PeerAdvert& a, TimePoint now);
  void compare_with_floor_master(const net::vrrp::PeerAdvert& a, TimePoint now);
  void detect_stall(TimePoint now);
  void finish_stop(const std::string& how);
  bool switchover_boost(TimePoint now);
  void progress_switchover();
  void end_switchover(bool ok, const std::string& detail, std::optional<bool> release);

  config::VrrpInstance config_;
  net::IpAddress primary_;
  net::vrrp::StateMachine sm_;
  Eligibility eligibility_;
  TakeoverHold takeover_hold_;
  Counters counters_;
  TrackedScripts scripts_;
  Output out_;

  std::uint64_t timer_generation_ = 0;
  std::optional<TimePoint> armed_deadline_;
  bool master_overdue_ = false;                 // last told to redis_health
  std::optional<TimePoint> master_heard_at_;    // last advert of another node (priority > 0)
  std::optional<TimePoint> armed_overdue_;      // ArmOverdue last asked for
  std::optional<TimePoint> lower_master_garp_;  // last burst for a lower-priority Master
  std::optional<TimePoint> history_asked_;      // last CompareHistory
  std::size_t members_ = 0;                     // in the last probe round
  bool garp_quiet_ = false;                     // last GarpQuiet
  // Whether redis_health and vip run: what they are not told now they are told once wired.
  bool redis_health_up_ = false;
  bool vip_up_ = false;

  // VIP: what was last commanded and whether the vip actor confirmed it.
  std::uint64_t vip_generation_ = 0;
  bool vip_commanded_up_ = false;
  bool vip_confirmed_ = true;

  // Redis role: the last command and whether redis_role confirmed it with ROLE.
  std::uint64_t role_generation_ = 0;
  std::optional<RoleTarget> role_commanded_;
  bool role_confirmed_ = false;

  RedisHealth redis_;               // the latest report
  std::vector<std::string> diagnosis_;  // ReplicationDiagnosis: what stands now
  bool redis_reported_ = false;     // any report yet
  bool failing_reported_ = false;   // last check_status input
  bool role_refused_ = false;       // Redis refused REPLICAOF NO ONE for good
  bool eligible_reported_ = true;   // last priority_inputs eligibility
  bool hold_reported_ = false;      // last priority_inputs hold_floor_tie
  int weight_reported_ = 0;         // last priority_inputs weight_sum
  std::string reason_reported_;     // last "not eligible" reason logged
  bool step_out_reported_ = false;  // last must_step_down() logged

  // Rejected packets: logged at most once per reason per interval, the rest counted.
  std::array<std::optional<TimePoint>, net::vrrp::kRejectReasonCount> reject_logged_at_;
  std::array<std::uint64_t, net::vrrp::kRejectReasonCount> unlogged_rejects_{};

  bool stopping_ = false;
  std::string role_error_;  // the last RoleDone failure (a refusal names both sides), until ok
  ColdStartVerdict cold_start_;         // the latest verdict
  bool cold_start_overridden_ = false;  // ColdStartOverride received
  ColdStartState cold_start_logged_ = ColdStartState::off;
  bool stop_done_ = false;

  // Switchover: the run in progress, and the priority 254 it leaves behind.
  struct SwitchoverRun {
    std::uint64_t id = 0;
    net::IpAddress old_master;
    bool taking_over = false;  // caught up: taking Master
  };
  std::optional<SwitchoverRun> switchover_;
  bool switchover_boost_ = false;
  bool boost_reported_ = false;            // last priority_inputs switchover
  bool never_reported_ = false;            // last priority_inputs never_master
  std::optional<TimePoint> master_since_;  // entered Master (resumed: when resumed)
};

}  // namespace redkeep::core
