#pragma once
// `redkeep cold-start [--force] [--instance NAME]`: what a cold start waits for, and the
// operator's override, over the running daemon's control socket.

#include <ostream>
#include <string>

namespace redkeep::actors {

/// Without `force`: prints each instance's cold-start state (waiting, newest, behind, ...,
/// members compared and missing). With `force`: tells the instance named `instance` (every
/// instance when empty) that a cold start holds (waiting, behind, diverged) to go on without
/// the members not compared, as with cold_start_quorum 1, until its Redis has synced or been
/// promoted. Exit 0; 1 when no instance has that name; 3 when the daemon is unreachable.
int run_cold_start(const std::string& socket_path, bool force, const std::string& instance,
                   std::ostream& out, std::ostream& err);

}  // namespace redkeep::actors
