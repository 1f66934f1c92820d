#pragma once
// The tracked scripts of one vrrp_instance (vrrp_script + track_script) and what they make of
// its priority, as keepalived computes it (vrrp_track.c, vrrp_scheduler.c). Pure: the
// tracker actor runs the scripts and hands each run's outcome here.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "config/model.hpp"

namespace redkeep::core {

/// keepalived's result counter of one vrrp_script: a value from 0 to rise + fall - 1, good
/// from `rise` up. A success below rise - 1 counts up, else jumps to the top; a failure above
/// rise counts down, else drops to 0. So a good script turns failed after `fall` failures in a
/// row and a failed one good after `rise` successes in a row. It starts at rise - 1 (one
/// success is enough, and the state is unknown until the first run), or at 0 with init_fail
/// (failed from the start).
class ScriptCounter {
 public:
  ScriptCounter(unsigned rise, unsigned fall, bool init_fail);
  /// One run's outcome. Returns true when good() changed (from unknown too).
  bool record(bool success);
  /// nullopt until the first run ended (unless init_fail).
  std::optional<bool> good() const {
    return known_ ? std::optional<bool>(result_ >= rise_) : std::nullopt;
  }

 private:
  int rise_, fall_;
  int result_;
  bool known_;
};

/// What the tracked scripts make of the instance.
struct ScriptVerdict {
  /// keepalived's sum: a positive weight counts while its script succeeds, a negative one
  /// while it fails; `reverse` inverts the sign.
  int weight_sum = 0;
  /// A weight-0 script failing (with reverse: succeeding) holds the instance in Fault:
  /// "script chk_disk failed (exited with status 1)"; empty when none does.
  std::string fault;
  /// A weight-0 script has not finished its first run: the instance is not eligible yet
  /// (keepalived keeps it out of Backup/Master until then). Its name, or empty.
  std::string waiting;
};

/// The tracked scripts of one instance. Copyable: the election's snapshot keeps it.
class TrackedScripts {
 public:
  explicit TrackedScripts(std::vector<config::TrackedScript> scripts = {});

  /// One run of script `index` ended (`detail`: "exited with status 1", "timed out ...").
  /// Returns true when that script's state changed (good, failed).
  bool record(std::size_t index, bool success, const std::string& detail);

  /// Takes the results of `before` (an earlier incarnation, another configuration) for each
  /// script it also tracks with the same command, rise and fall; weights stay this one's.
  void carry_over(const TrackedScripts& before);

  ScriptVerdict verdict() const;
  std::size_t size() const { return scripts_.size(); }
  const config::TrackedScript& script(std::size_t index) const { return scripts_[index]; }
  /// nullopt until its first result.
  std::optional<bool> good(std::size_t index) const { return counters_[index].good(); }
  /// The last run's outcome in words ("" before the first run).
  const std::string& last_detail(std::size_t index) const { return details_[index]; }

 private:
  std::vector<config::TrackedScript> scripts_;
  std::vector<ScriptCounter> counters_;
  std::vector<std::string> details_;
};

}  // namespace redkeep::core
