#pragma once
// Switchover: whether the target's Redis holds everything the paused Master has.
// Pure: compares two INFO replication reads.

#include <string>
#include <vector>

#include "redis/client_list.hpp"
#include "redis/info.hpp"

namespace redkeep::redis {

/// Where a switchover's target stands against the paused Master.
struct CatchUpStatus {
  bool done = false;      ///< same history, same offset: nothing written on the Master is missing
  bool hopeless = false;  ///< another history (or not a replica): waiting cannot help
  std::string detail;     ///< offsets (bytes) and ids, for the log and the operator
};

/// Compares `master` (INFO replication of the paused Master, read after the pause) with `mine`
/// (the target's). Done when the target is a replica with its link up, of the Master's
/// replication id (master_replid), at the Master's master_repl_offset (bytes; the replica's
/// slave_repl_offset, else its master_repl_offset). The Master's view of its replicas' offsets
/// (REPLCONF ACK, up to a second old) is not used. Redis docs: INFO, "Replication".
CatchUpStatus compare_catch_up(const ReplicationInfo& master, const ReplicationInfo& mine);

/// The client name of a switchover's connection to the Master's Redis: other switchovers see
/// it in CLIENT LIST.
inline constexpr const char* kSwitchoverClientName = "redkeep-switchover";

/// Among the Master's clients (CLIENT LIST), the switchovers of other nodes that came before
/// ours (a lower client id; all of them when ours, `own_addr` as the Master lists it, is not
/// there). While one runs ours must not go on, nor lift a pause it does not own: CLIENT
/// UNPAUSE ends every pause.
std::vector<ClientEntry> earlier_switchovers(const std::vector<ClientEntry>& clients,
                                             const std::string& own_addr);

}  // namespace redkeep::redis
