#pragma once
// What redis_health's checks say in the log, decided here (pure) so that the actor only writes
// the lines: in the spirit of the recipe's "PING -> PONG" / "PING -> Failed", one line per
// change of result rather than one per check.

#include <string>
#include <vector>

#include "core/log_event.hpp"
#include "redis/failure.hpp"
#include "redis/health_tracker.hpp"

namespace redkeep::core {

/// The result text of a failed check: "LOADING", "Failed (connection refused)", ... The
/// message of a timeout or an I/O error names what happened; redis::Error never holds a
/// password.
std::string failed_check_text(const redis::Error& error);

/// The log of one instance's checks.
class CheckLog {
 public:
  /// The lines one check adds: "PING -> <result>" when the result differs from the last one
  /// (info for PONG, warn otherwise); a wrong password (config_error) once until another
  /// result comes; "Redis <address> is healthy|FAILED" when `health_changed` (the fall/rise
  /// verdict, now `healthy`).
  std::vector<LogEvent> record(redis::CheckOutcome outcome, const std::string& result,
                               bool health_changed, bool healthy, const std::string& address);

 private:
  std::string last_result_;
  bool config_error_logged_ = false;
};

}  // namespace redkeep::core
