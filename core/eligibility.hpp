#pragma once
// Whether this node's Redis is fit to be master: the data rules of DESIGN.md
// section 3, acting only through the advertised priority (a node that is not
// eligible advertises the floor priority 1, so VRRP itself picks the right
// node and keepalived peers keep working). Pure: no I/O, no clock reads.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/cold_start.hpp"
#include "net/ip_address.hpp"
#include "redis/history.hpp"

namespace redkeep::core {

/// One observation of the local Redis and of the election, at a health check.
struct EligibilityObservation {
  bool healthy = true;      ///< after fall/rise
  bool loading = false;     ///< LOADING: alive, data not there yet
  bool restarted = false;   ///< a new run_id was found at this check
  bool is_replica = false;  ///< INFO role:slave
  /// Replica of the current VRRP master (its primary address and our port),
  /// link up, no sync running.
  bool synced_with_master = false;
  /// A fellow replica of the same history holds a larger offset (asked once
  /// this replica's master link is down). nullopt: unknown (nobody could be
  /// asked): the last verdict stands.
  std::optional<bool> behind_peer;
  std::uint32_t connected_replicas = 0;  ///< as master
  /// As master: since the latest REPLCONF ACK of any replica (INFO lag, whole
  /// seconds): when the replicas went silent, not when that was noticed.
  std::chrono::seconds replicas_silent_for{0};
  /// As master: replicas that follow it now, by INFO: in a sync state (a full sync in
  /// progress), or online with an ACK in the last second (lag <= 1).
  std::uint32_t replicas_following = 0;
  std::uint32_t replicas_syncing = 0;                 ///< as master: replicas in a sync state
  bool vrrp_master = false;                           ///< this node is the VRRP Master
  std::optional<net::IpAddress> vrrp_master_address;  ///< who is Master (another node)
};

/// The data rules, with the reason a node is not eligible for logs and status.
class Eligibility {
 public:
  using Clock = std::chrono::steady_clock;

  /// `master_down_interval`: how long a master may lack replicas before it
  /// counts as cut off (RFC Master_Down_Interval: by then the others elected).
  explicit Eligibility(std::chrono::microseconds master_down_interval)
      : master_down_interval_(master_down_interval) {}

  /// Feeds one check. Returns true when eligible() or must_step_down() changed.
  bool observe(const EligibilityObservation& o, Clock::time_point now);

  /// The election's own timer fired `late` after its deadline: a stalled
  /// process (SIGSTOP, a frozen VM). Beyond Master_Down_Interval the others
  /// have elected meanwhile: not eligible until it has replicas again (as
  /// master) or has synced (as replica). Returns true when eligible() changed.
  bool timer_overran(std::chrono::microseconds late);

  /// The cold-start verdict (judge_cold_start) for the next observe(). Waiting, behind and
  /// diverged keep a node whose Redis restarted with data out of Master (must_step_down) with
  /// no time limit, also while its Redis is LOADING, until it has synced (instead of "until no
  /// master was heard for twice Master_Down_Interval"); newest lets it lead although its Redis
  /// restarted, while no other Master is heard.
  void set_cold_start(ColdStartState state, std::string why) {
    cold_start_ = state;
    cold_start_why_ = std::move(why);
  }
  /// A cold start keeps it out of Master for now (waiting, behind or diverged).
  bool cold_start_holds() const {
    return cold_start_ == ColdStartState::waiting || cold_start_ == ColdStartState::behind ||
           cold_start_ == ColdStartState::diverged;
  }

  /// The current Master_Down_Interval (a v3 Backup learns the Master's interval).
  void set_master_down_interval(std::chrono::microseconds mdi) { master_down_interval_ = mdi; }

  // ---- Cut off from the cluster. Members are the nodes learned while running:
  // the Master's advert source, the replicas in INFO, unicast_peer, kept in the state file.
  // "Reached" is any reply from a member's Redis (an error such as LOADING counts) or an
  // advert from another node. Without members known, these rules do not apply. ----

  /// Whether any member is known.
  void set_members_known(bool known) { members_known_ = known; }
  /// A member was reached: a probe round started at `at` got a reply, or an advert arrived.
  void member_reached(Clock::time_point at);
  /// A probe round that started at `started` ended (reached: at least one member).
  void probe_round(Clock::time_point started, bool reached);
  /// A Backup whose Master just became overdue and whose first probe round since has not
  /// ended: it already advertises the floor, but the verdict is not in (not worth a warning).
  bool awaiting_probe() const { return awaiting_probe_; }
  /// Backup: its Master's adverts are overdue since `now` (true) or were heard again. A
  /// Backup that has reached no member since then advertises the floor priority, so that its
  /// first advert as Master already carries it: on healing it loses to the node the cluster
  /// continued on.
  void set_master_overdue(bool overdue, Clock::time_point now);
  /// The election entered Master (true) or left it. A Master entered while cut off stays at
  /// the floor priority until a replica follows it (replicas_following or replicas_syncing,
  /// with a member reached since the cut): reaching members again is not enough, they may be
  /// following the Master the cluster elected meanwhile.
  void set_vrrp_master(bool master, Clock::time_point now);
  /// How long a Master may reach no member before it counts as cut off (2 x
  /// Advertisement_Interval: see Eligibility::evaluate in eligibility.cpp).
  void set_alone_bound(std::chrono::microseconds bound) { alone_bound_ = bound; }
  /// A cut-off Master met another floor-priority Master and compared Redis histories
  /// (redis::floor_tie_outcome). `ours`: this one returns to its configured priority and wins;
  /// `theirs`: it concedes, so the tie is no longer held; `address`: the hold runs out and the
  /// address decides.
  void history_verdict(redis::FloorTie outcome);
  /// A Master at the floor because it is cut off, that has not conceded: it holds the
  /// address tie-break against another floor Master while histories are compared.
  bool hold_floor_tie() const { return cut_off_master_ && !conceded_; }
  /// When a member was last reached (probe reply or advert); nullopt: never.
  std::optional<Clock::time_point> last_member_reached() const { return last_reached_; }
  bool members_known() const { return members_known_; }
  /// Whether it is at the floor because it is cut off (as Master).
  bool cut_off_master() const { return cut_off_master_; }

  /// Re-evaluates the time-based rule (a Master that reached no member, with no replica
  /// syncing, for longer than the alone bound). Returns true when eligible() changed.
  bool evaluate(Clock::time_point now);

  /// False: advertise the floor priority.
  bool eligible() const { return reason().empty(); }
  /// True while a node whose Redis restarted, or was an unsynced replica
  /// when redkeep started (boot without network), must stay out of Master or
  /// leave it (Fault: VIP off, priority 0 if it was Master): until it has
  /// synced, or until no master has been heard for twice
  /// Master_Down_Interval (every node restarted). "Heard" is the caller's
  /// vrrp_master_address: pass it only while that Master's adverts are fresh.
  bool must_step_down() const { return step_down_; }
  /// Why not eligible ("" when eligible), e.g. "Redis restarted, not re-synced yet".
  std::string reason() const;
  /// The same reason as one stable word for metrics labels ("" when eligible), e.g.
  /// "redis_unhealthy", "behind_peer", "cut_off_master".
  std::string reason_code() const;
  /// Every word reason_code() may return, in the rules' order.
  static std::vector<std::string> reason_codes();

 private:
  /// The first data rule that holds (a Rule of eligibility.cpp; 0 = none).
  int rule() const;

  std::chrono::microseconds master_down_interval_;
  bool first_ = true;
  bool healthy_ = true;
  bool loading_ = false;
  bool data_lost_ = false;  // restarted, not re-synced
  bool step_down_ = false;
  Clock::time_point step_down_since_{};
  bool never_synced_ = false;  // a replica at redkeep's start that has not synced since
  std::optional<net::IpAddress> synced_master_;  // the master we last completed a sync with
  bool needs_sync_with_current_ = false;
  bool behind_peer_ = false;
  bool had_replicas_ = false;                     // as master, since it became master
  std::optional<Clock::time_point> alone_since_;  // as master, no replica since
  bool alone_too_long_ = false;
  bool stalled_ = false;
  std::chrono::microseconds stalled_by_{0};
  bool members_known_ = false;
  std::optional<Clock::time_point> last_reached_;
  std::optional<Clock::time_point> overdue_since_;  // Backup: its Master's adverts stopped
  bool cut_off_backup_ = false;                     // reached nobody since overdue_since_
  bool vrrp_master_now_ = false;                    // as told by set_vrrp_master
  Clock::time_point master_since_{};
  bool awaiting_probe_ = false;  // overdue, no probe round since: the verdict is pending
  bool cut_off_master_ = false;
  Clock::time_point cut_off_since_{};
  const char* cut_off_master_why_ = "";
  bool conceded_ = false;
  std::chrono::microseconds alone_bound_{2'000'000};
  ColdStartState cold_start_ = ColdStartState::off;
  std::string cold_start_why_;
};

}  // namespace redkeep::core
