#pragma once
// `redkeep migrate FILE`.

#include <ostream>
#include <string>

namespace redkeep::config {

/// Migrates the keepalived.conf at `path` (config/migrate.hpp), reading the scripts it names
/// from this machine, and writes the redkeep configuration to `out`. Then checks the result as
/// `redkeep check` would (without the script checks, which belong to the node that runs it):
/// its errors, and the keepalived.conf's syntax errors, go to `err`. Returns 0 when the result
/// passes, 1 when it does not (it is still written), 2 when `path` cannot be read.
int run_migrate(const std::string& path, std::ostream& out, std::ostream& err);

}  // namespace redkeep::config
