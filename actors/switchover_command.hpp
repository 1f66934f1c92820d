#pragma once
// `redkeep switchover`: asks the daemon on this node to become Master without losing a write,
// and waits for the outcome.

#include <ostream>
#include <string>

namespace redkeep::actors {

/// Asks the daemon at `socket_path` to take Master for `instance` (the only instance with a
/// redis block when empty) within `timeout_s` seconds of catch-up. Prints the outcome. Exit 0
/// when this node is Master; 1 when refused or aborted (the reason printed: nothing changed,
/// except after a takeover that was not confirmed in time, which the reason says); 3 when the
/// daemon is unreachable.
int run_switchover(const std::string& socket_path, const std::string& instance, double timeout_s,
                   std::ostream& out, std::ostream& err);

}  // namespace redkeep::actors
