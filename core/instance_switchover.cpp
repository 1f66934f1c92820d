// core::Instance's part of a switchover: the request, the catch-up's answer, the
// takeover at priority 254 and its end. The policy (who may be a target, how long 254 lasts)
// is core/switchover.cpp; this file applies it to the instance's state.
#include <fmt/format.h>

#include "core/instance.hpp"
#include "core/params.hpp"

namespace redkeep::core {

namespace vrrp = net::vrrp;

/// Rule switchover_boost: whether the target of a switchover still advertises 254; logs when
/// it returns to its configured priority.
bool Instance::switchover_boost(TimePoint now) {
  if (!switchover_boost_) return false;
  if (switchover_ && switchover_->taking_over) return true;  // Backup until take_master
  const bool is_master = sm_.state() == vrrp::State::master;
  if (switchover_boost_holds(is_master, master_since_.value_or(now), now,
                             sm_.master_down_interval()))
    return true;
  switchover_boost_ = false;
  log(LogLevel::info, LogKind::switchover,
      fmt::format("Switchover priority 254 ends ({}): advertising the configured priority {} "
                  "again",
                  is_master ? "Master for Master_Down_Interval" : "left Master", config_.priority),
      {{"outcome", "boost_ended"}});
  return false;
}

void Instance::on(const SwitchoverStart& s, TimePoint now) {
  SwitchoverFacts f;
  f.state = sm_.state();
  f.has_redis = has_redis();
  f.stopping = stopping_;
  f.in_progress = switchover_.has_value();
  f.not_eligible = eligibility_.eligible() ? "" : eligibility_.reason();
  const bool heard = master_heard_at_ && now - *master_heard_at_ < sm_.master_down_interval();
  if (heard && sm_.master_address() && !sm_.master_is_self()) {
    f.master = sm_.master_address();
    f.master_priority = sm_.master_priority();
  }
  f.synced_with_master = redis_reported_ && synced_with_master(redis_);
  f.own_address = primary_;
  f.nopreempt = config_.nopreempt;
  if (auto why = switchover_refusal(f)) {
    log(LogLevel::warn, LogKind::switchover, "Switchover refused: " + *why,
        {{"outcome", "refused"}, {"reason", *why}});
    emit(SwitchoverResult{s.id, false, *why});
    return;
  }
  switchover_ = SwitchoverRun{s.id, *f.master, false};
  const auto pause = switchover_pause(s.timeout, sm_.master_down_interval());
  log(LogLevel::info, LogKind::switchover,
      fmt::format("Switchover to this node: pausing writes on the Master {} (at most {} ms) and "
                  "waiting up to {} ms for its Redis to reach the Master's offset",
                  f.master->to_string(), pause.count(), s.timeout.count()),
      {{"outcome", "started"}, {"master", f.master->to_string()}});
  // Synced with the Master (a refusal otherwise): its Redis address is known.
  const auto master_redis = peer_redis_address(config_, *f.master).value_or(*f.master);
  emit(CatchUp{s.id, {master_redis, redis_port()}, s.timeout, pause});
  emit(ArmSwitchoverDeadline{s.id, pause});
}

/// Rule switchover_takeover: caught up, the target takes Master at once with priority 254; the
/// Master it replaces yields to the higher priority at its first advert (RFC 5798 6.4.3).
void Instance::on(const CaughtUp& c, TimePoint now) {
  if (!switchover_ || switchover_->id != c.id || switchover_->taking_over) return;
  if (!c.ok) {
    end_switchover(false, "aborted, nothing changed: " + c.detail, std::nullopt);
    return;
  }
  // Anything may have happened while it caught up.
  const auto old = switchover_->old_master.to_string();
  if (sm_.state() != vrrp::State::backup || !eligibility_.eligible() ||
      sm_.master_address() != switchover_->old_master || stopping_) {
    end_switchover(false,
                   fmt::format("aborted, nothing changed: while its Redis caught up, this node "
                               "became {} ({}), following {}",
                               vrrp::to_string(sm_.state()),
                               eligibility_.eligible() ? "eligible" : eligibility_.reason(),
                               sm_.master_address() ? sm_.master_address()->to_string() : "none"),
                   false);
    return;
  }
  switchover_->taking_over = true;
  switchover_boost_ = true;
  log(LogLevel::info, LogKind::switchover,
      fmt::format("Switchover: {}; taking Master from {} with priority {}", c.detail, old,
                  vrrp::kMaxPriority),
      {{"outcome", "caught_up"}, {"master", old}});
  vrrp::Actions actions;
  apply_data_rules(actions, now);
  const auto taken = sm_.take_master(now, "switchover from " + old);
  actions.insert(actions.end(), taken.begin(), taken.end());
  execute(actions, now);
}

void Instance::on(const SwitchoverDeadline& d, TimePoint) {
  if (!switchover_ || switchover_->id != d.id) return;
  if (!switchover_->taking_over) {
    end_switchover(false, "aborted, nothing changed: the catch-up did not answer in time", false);
    return;
  }
  end_switchover(false,
                 fmt::format("took Master but is not confirmed in time (state {}, VIP {}, Redis "
                             "role {})",
                             vrrp::to_string(sm_.state()), vip_held() ? "held" : "not held",
                             role_confirmed_ ? role_text(role_commanded_) : "not confirmed"),
                 true);
}

/// Done once this node is Master with its Redis master and the VIP held.
void Instance::progress_switchover() {
  if (!switchover_ || !switchover_->taking_over) return;
  if (sm_.state() != vrrp::State::master || !vip_held() || !role_confirmed_ ||
      role_commanded_ != std::optional<RoleTarget>{RoleTarget{}})
    return;
  end_switchover(true,
                 fmt::format("this node is Master (priority {}), its Redis master, the VIP held; "
                             "writes on {} stay paused until its Redis is a replica",
                             sm_.effective_priority(), switchover_->old_master.to_string()),
                 true);
}

/// Ends the run: lifts the pause (`release`: after the old Master's demotion, or at once;
/// nullopt: already lifted), logs and answers.
void Instance::end_switchover(bool ok, const std::string& detail, std::optional<bool> release) {
  const auto id = switchover_->id;
  switchover_.reset();
  if (release) emit(ReleasePause{id, *release});
  log(ok ? LogLevel::info : LogLevel::warn, LogKind::switchover,
      (ok ? "Switchover done: " : "Switchover failed: ") + detail,
      {{"outcome", ok ? "done" : "failed"}, {"detail", detail}});
  emit(SwitchoverResult{id, ok, detail});
}

}  // namespace redkeep::core
