#pragma once
// `redkeep status [--json]`: asks the running daemon over its control socket.

#include <ostream>
#include <string>

namespace redkeep::actors {

/// Exit statuses of `redkeep status`, so scripts and health checks can branch
/// without parsing: every instance MASTER -> 0; any FAULT (or INIT) -> 2;
/// otherwise (some BACKUP) -> 1; daemon unreachable or bad answer -> 3.
enum StatusExit { kStatusMaster = 0, kStatusBackup = 1, kStatusFault = 2, kStatusUnreachable = 3 };

/// Queries the daemon at `socket_path` and prints its answer to `out`: the raw
/// JSON with `json`, else a short human summary. Errors go to `err`.
int run_status(const std::string& socket_path, bool json, std::ostream& out, std::ostream& err);

}  // namespace redkeep::actors
