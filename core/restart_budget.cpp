#include "core/restart_budget.hpp"

#include <algorithm>

namespace redkeep::core {

std::chrono::milliseconds restart_delay(const RestartPolicy& policy, int restarts_in_window) {
  if (restarts_in_window <= 1) return std::chrono::milliseconds{0};
  auto delay = policy.first_backoff;
  for (int i = 2; i < restarts_in_window && delay < policy.max_backoff; ++i) delay *= 2;
  return std::min(delay, policy.max_backoff);
}

RestartBudget::Verdict RestartBudget::failed(TimePoint now, const RestartPolicy& policy) {
  while (!recent_.empty() && now - recent_.front() > policy.window) recent_.pop_front();
  recent_.push_back(now);
  ++total_;
  Verdict v;
  v.in_window = static_cast<int>(recent_.size());
  v.give_up = v.in_window > policy.max_restarts;
  if (!v.give_up) v.delay = restart_delay(policy, v.in_window);
  return v;
}

}  // namespace redkeep::core
