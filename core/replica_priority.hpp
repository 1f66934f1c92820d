#pragma once
// Where this node's replica-priority (0: never promote this node) comes from, and when to ask.
// CONFIG GET replica-priority every period; once Redis refuses it (an ACL user without
// +config|get, CONFIG renamed), never again, and INFO's slave_priority, which only a replica
// shows, stands in. Pure: time and Redis's answers come in as arguments.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace redkeep::core {

/// The last known replica-priority of the local Redis.
class ReplicaPrioritySource {
 public:
  using Clock = std::chrono::steady_clock;

  /// `period`: how often CONFIG GET is asked.
  explicit ReplicaPrioritySource(Clock::duration period) : period_(period) {}

  /// Whether to send CONFIG GET replica-priority at `now`. When true, the read counts as done
  /// at `now`, whatever its answer.
  bool config_get_due(Clock::time_point now);
  /// CONFIG GET answered with `value` (nullopt: the parameter is not there); a value that is
  /// not a number forgets the last one.
  void config_get_answered(const std::optional<std::string>& value);
  /// CONFIG GET was refused (NOPERM, unknown command): forget the value and stop asking.
  /// Returns true the first time, so the refusal is said once.
  bool config_get_refused();
  /// A new connection to Redis (a restarted Redis may have another value): ask at once.
  void reconnected() { read_at_.reset(); }
  /// INFO replication's slave_priority of this check (a replica only): it wins when there.
  void info_seen(std::optional<std::int64_t> slave_priority);

  /// The last known value; nullopt when unknown.
  std::optional<std::int64_t> value() const { return value_; }

 private:
  Clock::duration period_;
  std::optional<Clock::time_point> read_at_;
  bool refused_ = false;
  std::optional<std::int64_t> value_;
};

}  // namespace redkeep::core
