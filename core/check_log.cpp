#include "core/check_log.hpp"

namespace redkeep::core {

std::string failed_check_text(const redis::Error& error) {
  const auto outcome = redis::outcome_of(error.failure);
  if (outcome == redis::CheckOutcome::loading) return "LOADING";
  if (outcome == redis::CheckOutcome::failure || outcome == redis::CheckOutcome::down)
    return "Failed (" + error.message + ")";
  return "Failed (" + std::string(redis::to_string(error.failure)) + ")";
}

std::vector<LogEvent> CheckLog::record(redis::CheckOutcome outcome, const std::string& result,
                                       bool health_changed, bool healthy,
                                       const std::string& address) {
  std::vector<LogEvent> lines;
  if (outcome == redis::CheckOutcome::config_error) {
    if (!config_error_logged_)
      lines.push_back(
          {LogLevel::error,
           LogKind::redis_check,
           "PING -> " + result + ": configuration error: check the redis password / user",
           {{"result", result}, {"config_error", "true"}}});
    config_error_logged_ = true;
  } else if (result != last_result_) {
    lines.push_back({outcome == redis::CheckOutcome::pong ? LogLevel::info : LogLevel::warn,
                     LogKind::redis_check,
                     "PING -> " + result,
                     {{"result", result}}});
    config_error_logged_ = false;
  }
  last_result_ = result;
  if (health_changed)
    lines.push_back({healthy ? LogLevel::info : LogLevel::error,
                     LogKind::health,
                     "Redis " + address + " is " + (healthy ? "healthy" : "FAILED"),
                     {{"redis", address}, {"healthy", healthy ? "true" : "false"}}});
  return lines;
}

}  // namespace redkeep::core
