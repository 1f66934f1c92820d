#include "core/replica_priority.hpp"

#include <stdexcept>

namespace redkeep::core {

bool ReplicaPrioritySource::config_get_due(Clock::time_point now) {
  if (refused_ || (read_at_ && now - *read_at_ < period_)) return false;
  read_at_ = now;
  return true;
}

void ReplicaPrioritySource::config_get_answered(const std::optional<std::string>& value) {
  if (!value) return;
  try {
    value_ = std::stoll(*value);
  } catch (const std::exception&) {
    value_.reset();
  }
}

bool ReplicaPrioritySource::config_get_refused() {
  value_.reset();
  const bool first = !refused_;
  refused_ = true;
  return first;
}

void ReplicaPrioritySource::info_seen(std::optional<std::int64_t> slave_priority) {
  if (slave_priority) value_ = slave_priority;
}

}  // namespace redkeep::core
