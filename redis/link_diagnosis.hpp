#pragma once
// Why a replica's link to its master stays down, and when a master refuses writes for want of
// replicas: the causes the probes found (redis_diagnosis actor), each said once when it
// appears and once when it is gone, never at every round. Pure: no I/O, no clock reads.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "redis/preflight.hpp"

namespace redkeep::redis {

/// What keeps a replica from authenticating to its master, from probe_member's facts and the
/// replica's masterauth/masteruser (empty: not set): nullopt when nothing does.
std::optional<std::string> master_auth_problem(const MemberFacts& master,
                                               const std::string& masterauth,
                                               const std::string& masteruser);

/// One round of observations of the local Redis, with the probes' results when they ran.
struct LinkObservation {
  std::chrono::steady_clock::time_point now;
  /// Replica side: "host:port" of its master, and whether INFO says the link is up.
  std::optional<std::string> master;
  bool link_up = false;
  /// The probes (run only while probes_due()): connecting to the master failed (why); the
  /// masterauth/masteruser problem found on it; the master's INFO stats sync_full.
  std::optional<std::string> connect_error;
  std::optional<std::string> auth_problem;
  std::optional<std::int64_t> master_sync_full;
  /// Master side: min-replicas-to-write (0 or absent: off) and INFO min_slaves_good_slaves.
  std::optional<std::int64_t> min_replicas_to_write;
  std::optional<std::int64_t> good_replicas;
};

/// One line to log: a cause appeared (`warning`) or the causes are gone.
struct DiagnosisLine {
  bool warning = true;
  std::string text;
};

/// The causes for one instance's local Redis.
class LinkDiagnosis {
 public:
  /// `threshold`: how long a replica's link must stay down before the probes run (a few check
  /// intervals: a link that comes back by itself is not worth a line).
  explicit LinkDiagnosis(std::chrono::milliseconds threshold) : threshold_(threshold) {}

  /// Whether the next observation should carry the probes' results: a replica whose link has
  /// been down for `threshold` since `now`'s earlier observations.
  bool probes_due(std::chrono::steady_clock::time_point now) const;

  /// Feeds one round; returns the lines to log (new causes, causes gone).
  std::vector<DiagnosisLine> observe(const LinkObservation& o);

  /// The causes standing now, for status.
  std::vector<std::string> causes() const;

 private:
  struct Cause {
    std::string key;  ///< "connect", "auth", "sync_loop", "noreplicas": one line per key
    std::string text;
  };
  std::chrono::milliseconds threshold_;
  std::optional<std::string> master_;  // whose link is watched
  std::optional<std::chrono::steady_clock::time_point> down_since_;
  std::optional<std::int64_t> sync_full_at_first_probe_;
  std::vector<Cause> causes_;
};

}  // namespace redkeep::redis
