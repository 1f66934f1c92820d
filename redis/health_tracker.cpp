#include "redis/health_tracker.hpp"

#include <algorithm>

namespace redkeep::redis {

CheckOutcome outcome_of(Failure failure) {
  switch (failure) {
    case Failure::refused: return CheckOutcome::down;
    case Failure::auth: return CheckOutcome::config_error;
    case Failure::loading: return CheckOutcome::loading;
    // A replica refusing stale reads still runs and replicates.
    case Failure::masterdown: return CheckOutcome::pong;
    default: return CheckOutcome::failure;
  }
}

HealthTracker::HealthTracker(unsigned fall, unsigned rise)
    : fall_(std::max(1u, fall)), rise_(std::max(1u, rise)) {}

bool HealthTracker::record(CheckOutcome outcome) {
  bool before = healthy_;
  config_error_ = outcome == CheckOutcome::config_error;
  switch (outcome) {
    case CheckOutcome::pong:
    case CheckOutcome::loading:
      loading_ = outcome == CheckOutcome::loading;
      failures_ = 0;
      if (!healthy_ && ++successes_ >= rise_) healthy_ = true;
      break;
    case CheckOutcome::failure:
      successes_ = 0;
      if (healthy_ && ++failures_ >= fall_) healthy_ = false;
      break;
    case CheckOutcome::down:
    case CheckOutcome::config_error:
      successes_ = 0;
      failures_ = fall_;
      healthy_ = false;
      break;
  }
  if (!healthy_) loading_ = false;
  return healthy_ != before;
}

}  // namespace redkeep::redis
