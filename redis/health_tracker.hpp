#pragma once
// fall/rise bookkeeping of the local Redis health check (DESIGN.md section 5),
// as keepalived's vrrp_script counts it, plus redkeep's rules: a refused
// connection is a failure at once, LOADING is alive but not eligible, a wrong
// password is a configuration error. Pure: no I/O, no clock.

#include "redis/failure.hpp"

namespace redkeep::redis {

/// What one check (PING, or the reconnect that preceded it) came to.
enum class CheckOutcome {
  pong,          ///< PONG: healthy
  loading,       ///< LOADING: alive, not eligible to be master
  failure,       ///< timeout, BUSY, I/O error, unexpected reply: counts toward `fall`
  down,          ///< connection refused: Redis is not running; Fault now
  config_error,  ///< NOAUTH / WRONGPASS: Fault now, reported as a configuration error
};

/// Maps a failed check's classified Failure to its outcome.
CheckOutcome outcome_of(Failure failure);

/// Consecutive-result counter with keepalived's fall/rise semantics.
class HealthTracker {
 public:
  /// `fall` consecutive failures make it unhealthy, `rise` consecutive
  /// successes healthy again (both >= 1). Starts healthy, as keepalived's
  /// vrrp_script without init_fail.
  HealthTracker(unsigned fall, unsigned rise);

  /// Records one check. Returns true when healthy() changed.
  bool record(CheckOutcome outcome);

  bool healthy() const { return healthy_; }
  /// Alive but LOADING its data: not fit to be master (never Fault for it).
  bool loading() const { return healthy_ && loading_; }
  /// True while the last result was a configuration error.
  bool config_error() const { return config_error_; }

 private:
  unsigned fall_;
  unsigned rise_;
  unsigned failures_ = 0;
  unsigned successes_ = 0;
  bool healthy_ = true;
  bool loading_ = false;
  bool config_error_ = false;
};

}  // namespace redkeep::redis
