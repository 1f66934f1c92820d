#pragma once
// The supervisor's decision when an actor fails: restart it (at once, then backing off) or,
// when it failed too often within a sliding window, give up so the daemon exits and its
// service manager starts it anew. Pure: time comes in as arguments.

#include <chrono>
#include <cstdint>
#include <deque>

namespace redkeep::core {

/// When to restart and when to give up. The first restart is immediate so a crash costs no
/// VRRP interval; later ones back off exponentially.
struct RestartPolicy {
  int max_restarts = 5;                          ///< per child, within `window`
  std::chrono::milliseconds window{60'000};      ///< sliding window for the budget
  std::chrono::milliseconds first_backoff{100};  ///< delay of the 2nd restart
  std::chrono::milliseconds max_backoff{5'000};
};

/// Delay before restart number `restarts_in_window` (1-based) of a child: 0 for the first,
/// then first_backoff doubling up to max_backoff.
std::chrono::milliseconds restart_delay(const RestartPolicy& policy, int restarts_in_window);

/// One child's failures, and what to do at each.
class RestartBudget {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  /// What to do about a failure.
  struct Verdict {
    bool give_up = false;                ///< more than max_restarts failures within the window
    int in_window = 0;                   ///< failures within the window, this one included
    std::chrono::milliseconds delay{0};  ///< before the restart (when not giving up)
  };

  /// Records a failure at `now` and decides.
  Verdict failed(TimePoint now, const RestartPolicy& policy);
  /// Failures since the child was first started.
  std::uint64_t total() const { return total_; }

 private:
  std::deque<TimePoint> recent_;  // within the window
  std::uint64_t total_ = 0;
};

}  // namespace redkeep::core
