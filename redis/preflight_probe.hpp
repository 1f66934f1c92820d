#pragma once
// Gathers what redis/preflight.hpp's rules read: the local Redis's settings (CONFIG GET),
// INFO, which commands it knows under the names redkeep sends, what ACL DRYRUN allows
// redkeep's user, the write rate; and for each member's Redis whether it is reachable, needs a
// password, takes this node's masterauth and lets masteruser replicate. Blocking (hiredis): at
// most a few timeouts per member plus the write-rate sample. Changes nothing on any Redis.

#include <atomic>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "redis/access.hpp"
#include "redis/preflight.hpp"

namespace redkeep::redis {

/// What to probe.
struct PreflightTarget {
  std::string host;  ///< the local Redis
  int port = 6379;
  Access access;                            ///< redkeep's credentials and rename_command lines
  std::chrono::milliseconds timeout{1000};  ///< connect and command timeout, each
  /// Members known beforehand (unicast_peer, the state file): host and Redis port. Those INFO
  /// names (the master, the replicas) are added.
  std::vector<std::pair<std::string, int>> members;
  /// How long master_repl_offset is watched for the write rate; 0: not measured.
  std::chrono::milliseconds rate_sample{1000};
  /// manage_masterauth yes with a password: masterauth/masteruser are taken to be the block's.
  bool manage_masterauth = false;
  /// Set by another thread: the probe returns what it has after the call under way (at most
  /// one timeout). Null: never.
  const std::atomic<bool>* stop = nullptr;
};

/// One member's Redis at host:port: reachable (a -DENIED of protected mode is not), whether
/// it needs a password, whether `local`'s masterauth (config "masterauth", "masteruser")
/// passes its AUTH, and what ACL DRYRUN there denies masteruser. Also the run-time diagnosis
/// of a replica's link to its master (redis_diagnosis actor).
MemberFacts probe_member(const PreflightTarget& t, const std::string& host, int port,
                         const LocalFacts& local);

/// Asks every Redis the target names. Never throws; what could not be asked is in the facts.
PreflightFacts probe_preflight(const PreflightTarget& target);

}  // namespace redkeep::redis
