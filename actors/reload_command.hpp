#pragma once
// `redkeep reload`: asks the running daemon to read its configuration file again (as SIGHUP
// does) and says what it applied or why it kept the running configuration.

#include <ostream>
#include <string>

namespace redkeep::actors {

/// Exit 0 when the daemon applied the file (each instance's change printed, or "no change"),
/// 1 when it kept the running configuration (the errors printed, FILE:LINE:COLUMN), 3 when it
/// is unreachable.
int run_reload(const std::string& socket_path, std::ostream& out, std::ostream& err);

}  // namespace redkeep::actors
