#include "redis/eligibility.hpp"

#include <cstdio>

namespace redkeep::redis {

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
  if (step_down_ && !o.vrrp_master_address &&
      now - step_down_since_ > 2 * master_down_interval_) {
    step_down_ = false;  // nobody kept the data: take part (at the floor priority)
  }
  if (step_down_ && o.vrrp_master_address) step_down_since_ = now;

  // Has not completed a sync with the Master it now follows.
  needs_sync_with_current_ = o.vrrp_master_address && !o.vrrp_master &&
                             synced_master_ != o.vrrp_master_address;

  if (o.lagging) lagging_ = *o.lagging;  // unknown: the last verdict stands
  if (o.vrrp_master || !o.is_replica) lagging_ = false;

  if (o.vrrp_master) {
    if (o.connected_replicas > 0) {
      had_replicas_ = true;
      alone_since_.reset();
      alone_too_long_ = false;
      stalled_ = false;
    } else if (had_replicas_) {
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

bool Eligibility::timer_overran(std::chrono::microseconds late) {
  if (late <= master_down_interval_) return false;
  const bool was_eligible = eligible();
  stalled_ = true;
  stalled_by_ = late;
  return was_eligible != eligible();
}

std::string Eligibility::reason() const {
  if (!healthy_) return "Redis not healthy";
  if (loading_) return "Redis is LOADING its data";
  if (data_lost_) return "Redis restarted and has not re-synced from the master yet";
  if (never_synced_) return "Redis is a replica that has not synced since redkeep started";
  if (needs_sync_with_current_) return "Redis has not completed a sync with the current master";
  if (lagging_) return "another replica holds more of the master's data";
  if (alone_too_long_) return "master without replicas for longer than Master_Down_Interval";
  if (stalled_) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "own timers overran by %.1f s (process stalled)",
                  static_cast<double>(stalled_by_.count()) / 1e6);
    return buf;
  }
  return "";
}

}  // namespace redkeep::redis
