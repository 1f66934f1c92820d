#include "core/eligibility.hpp"

#include <algorithm>
#include <cstdio>
#include <iterator>

namespace redkeep::core {

bool Eligibility::observe(const EligibilityObservation& o, Clock::time_point now) {
  const bool was_eligible = eligible();
  const bool was_step_down = step_down_;
  healthy_ = o.healthy;
  loading_ = o.loading;

  if (first_) {
    // A replica when redkeep starts: redkeep cannot know whether it is in
    // step with any master until it has seen it sync (boot without network).
    never_synced_ = o.is_replica && !o.synced_with_master;
    first_ = false;
    // Booted into a broken network, it would hear nobody and promote a
    // Redis that is out of step, then take writes the healthy master never
    // sees: stay out of Master, as a restarted master does.
    if (never_synced_) {
      step_down_ = true;
      step_down_since_ = now;
    }
  }
  if (o.restarted) {
    // Master or not: a node rebooting into a broken network sees its Redis
    // come back (restarted) only after its first check, and must not promote
    // it for hearing nobody.
    data_lost_ = true;
    step_down_ = true;
    step_down_since_ = now;
  }
  if (o.synced_with_master) {
    data_lost_ = false;
    never_synced_ = false;
    step_down_ = false;
    stalled_ = false;
    synced_master_ = o.vrrp_master_address;
  }
  if (cold_start_holds() && !step_down_) {
    // Data that may be stale or the only copy (also while its Redis is still LOADING, before
    // the restart is reported): out of Master at once, not at the next check after its Master
    // is lost, until the quorum has compared or it has synced.
    step_down_ = true;
    step_down_since_ = now;
  }
  if (step_down_ && !cold_start_holds() && !o.vrrp_master_address &&
      now - step_down_since_ > 2 * master_down_interval_) {
    step_down_ = false;  // nobody kept the data: take part (at the floor priority)
  }
  if (cold_start_ == ColdStartState::newest && !o.vrrp_master_address) {
    // Compared with a quorum of members, none newer: its data leads, restarted or not.
    data_lost_ = false;
    never_synced_ = false;
    step_down_ = false;
  }
  if (step_down_ && o.vrrp_master_address) step_down_since_ = now;

  // Has not completed a sync with the Master it now follows.
  needs_sync_with_current_ =
      o.vrrp_master_address && !o.vrrp_master && synced_master_ != o.vrrp_master_address;

  if (o.behind_peer) behind_peer_ = *o.behind_peer;  // unknown: the last verdict stands
  if (o.vrrp_master || !o.is_replica) behind_peer_ = false;

  // A replica that follows this Master (INFO) ends its cut-off, once a probe also reached a
  // member after the cut: INFO lag counts whole seconds and lags behind a fresh cut.
  const bool followed = o.vrrp_master && (o.replicas_following > 0 || o.replicas_syncing > 0);
  if (followed && cut_off_master_ && last_reached_ && *last_reached_ > cut_off_since_) {
    cut_off_master_ = false;
    conceded_ = false;
  }
  evaluate(now);

  if (o.vrrp_master) {
    if (o.connected_replicas > 0) {
      had_replicas_ = true;
      alone_since_.reset();
      alone_too_long_ = false;
      stalled_ = false;
    } else if (had_replicas_ && !members_known_) {
      // Seen through INFO lag: the rule for a Master that knows no member to probe.
      // From the last ACK: the others started their Master_Down_Interval
      // about then, and may have elected by the time this is noticed.
      if (!alone_since_) alone_since_ = now - o.replicas_silent_for;
      alone_too_long_ = now - *alone_since_ > master_down_interval_;
    }
  } else {
    had_replicas_ = false;
    alone_since_.reset();
    alone_too_long_ = false;
  }
  return was_eligible != eligible() || was_step_down != step_down_;
}

void Eligibility::member_reached(Clock::time_point at) {
  if (!last_reached_ || at > *last_reached_) last_reached_ = at;
  if (overdue_since_ && at >= *overdue_since_) {
    cut_off_backup_ = false;
    awaiting_probe_ = false;
  }
}

void Eligibility::probe_round(Clock::time_point started, bool reached) {
  if (reached) member_reached(started);
  if (overdue_since_ && started >= *overdue_since_) awaiting_probe_ = false;
}

void Eligibility::history_verdict(redis::FloorTie outcome) {
  if (!cut_off_master_) return;
  if (outcome == redis::FloorTie::ours) {
    cut_off_master_ = false;
    conceded_ = false;
  } else if (outcome == redis::FloorTie::theirs) {
    conceded_ = true;
  }
}

void Eligibility::set_master_overdue(bool overdue, Clock::time_point now) {
  if (!overdue) {
    overdue_since_.reset();
    cut_off_backup_ = false;
    awaiting_probe_ = false;
    return;
  }
  if (overdue_since_) return;
  overdue_since_ = now;
  cut_off_backup_ = members_known_;
  awaiting_probe_ = members_known_;
}

void Eligibility::set_vrrp_master(bool master, Clock::time_point now) {
  if (master == vrrp_master_now_) return;
  vrrp_master_now_ = master;
  master_since_ = now;
  // Taken while cut off: the cluster may have continued elsewhere.
  cut_off_master_ = master && cut_off_backup_;
  cut_off_since_ = now;
  conceded_ = false;
  awaiting_probe_ = false;
  cut_off_master_why_ =
      "took Master while it reached no member of the cluster; waits for a "
      "replica to follow it";
  cut_off_backup_ = false;
  overdue_since_.reset();
}

// Why 2 x Advertisement_Interval: the others take over Master_Down_Interval (3 intervals +
// Skew_Time) after the last advert they heard, at about the time this Master's probes stopped
// reaching anyone; probe rounds come one interval apart, so the verdict comes at most 3
// intervals after the cut, before any takeover. A shorter bound would floor a Master on one
// lost probe round. Only probes count here (a member's kernel acknowledging is enough, so busy
// or syncing replicas are reached): INFO lag counts whole seconds and lags behind a cut.
bool Eligibility::evaluate(Clock::time_point now) {
  const bool was = eligible();
  if (vrrp_master_now_ && members_known_ && !cut_off_master_) {
    const auto since = std::max(master_since_, last_reached_.value_or(master_since_));
    if (now - since > alone_bound_) {
      cut_off_master_ = true;
      cut_off_since_ = now;
      cut_off_master_why_ =
          "Master reached no member of the cluster and no replica follows it "
          "(for longer than 2 advert intervals)";
    }
  }
  return was != eligible();
}

bool Eligibility::timer_overran(std::chrono::microseconds late) {
  if (late <= master_down_interval_) return false;
  const bool was_eligible = eligible();
  stalled_ = true;
  stalled_by_ = late;
  return was_eligible != eligible();
}

namespace {

/// The data rules in the order they are reported (the first that holds is the reason), with
/// the word metrics label them by.
enum class Rule {
  none, unhealthy, loading, cold_start, data_lost, never_synced, not_synced_with_master,
  behind_peer, cut_off_backup, cut_off_master, alone_too_long, stalled
};

constexpr const char* kRuleCodes[] = {
    "",            "redis_unhealthy", "redis_loading",          "cold_start",
    "data_lost",   "never_synced",    "not_synced_with_master", "behind_peer",
    "cut_off_backup", "cut_off_master", "alone_too_long",       "stalled"};
static_assert(std::size(kRuleCodes) == static_cast<std::size_t>(Rule::stalled) + 1);

}  // namespace

int Eligibility::rule() const {
  const auto r = [&] {
    if (!healthy_) return Rule::unhealthy;
    if (loading_) return Rule::loading;
    if (cold_start_holds()) return Rule::cold_start;
    if (data_lost_) return Rule::data_lost;
    if (never_synced_) return Rule::never_synced;
    if (needs_sync_with_current_) return Rule::not_synced_with_master;
    if (behind_peer_) return Rule::behind_peer;
    if (cut_off_backup_) return Rule::cut_off_backup;
    if (cut_off_master_) return Rule::cut_off_master;
    if (alone_too_long_) return Rule::alone_too_long;
    if (stalled_) return Rule::stalled;
    return Rule::none;
  }();
  return static_cast<int>(r);
}

std::string Eligibility::reason() const {
  switch (static_cast<Rule>(rule())) {
    case Rule::none:
      return "";
    case Rule::unhealthy:
      return "Redis not healthy";
    case Rule::loading:
      return "Redis is LOADING its data";
    case Rule::cold_start:
      return cold_start_why_;
    case Rule::data_lost:
      return "Redis restarted and has not re-synced from the master yet";
    case Rule::never_synced:
      return "Redis is a replica that has not synced since redkeep started";
    case Rule::not_synced_with_master:
      return "Redis has not completed a sync with the current master";
    case Rule::behind_peer:
      return "another replica holds more of the master's data";
    case Rule::cut_off_backup:
      return "reached no member of the cluster since the Master's adverts stopped";
    case Rule::cut_off_master:
      return cut_off_master_why_;
    case Rule::alone_too_long:
      return "master without replicas for longer than Master_Down_Interval";
    case Rule::stalled: {
      char buf[96];
      std::snprintf(buf, sizeof buf, "own timers overran by %.1f s (process stalled)",
                    static_cast<double>(stalled_by_.count()) / 1e6);
      return buf;
    }
  }
  return "";
}

std::string Eligibility::reason_code() const {
  return eligible() ? "" : kRuleCodes[rule()];
}

std::vector<std::string> Eligibility::reason_codes() {
  return {std::begin(kRuleCodes) + 1, std::end(kRuleCodes)};
}

}  // namespace redkeep::core
