#pragma once
// Switchover (issue 17.1): whether the target's Redis holds everything the paused Master has.
// Pure: compares two INFO replication reads.

#include <string>

#include "redis/info.hpp"

namespace redkeep::redis {

/// Where a switchover's target stands against the paused Master.
struct CatchUpStatus {
  bool done = false;   ///< same history, same offset: nothing written on the Master is missing
  bool hopeless = false;  ///< another history (or not a replica): waiting cannot help
  std::string detail;  ///< offsets (bytes) and ids, for the log and the operator
};

/// Compares `master` (INFO replication of the paused Master, read after the pause) with `mine`
/// (the target's). Done when the target is a replica with its link up, of the Master's
/// replication id (master_replid), at the Master's master_repl_offset (bytes; the replica's
/// slave_repl_offset, else its master_repl_offset). The Master's view of its replicas' offsets
/// (REPLCONF ACK, up to a second old) is not used. Redis docs: INFO, "Replication".
CatchUpStatus compare_catch_up(const ReplicationInfo& master, const ReplicationInfo& mine);

}  // namespace redkeep::redis
