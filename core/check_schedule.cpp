#include "core/check_schedule.hpp"

#include <algorithm>

namespace redkeep::core {

void CheckSchedule::checked(Clock::time_point now) {
  next_ += interval_;
  if (next_ < now) next_ = now + interval_;
}

std::chrono::milliseconds CheckSchedule::wait(Clock::time_point now,
                                              std::chrono::milliseconds cap) const {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(next_ - now);
  return std::min(left + std::chrono::milliseconds(1), cap);
}

}  // namespace redkeep::core
