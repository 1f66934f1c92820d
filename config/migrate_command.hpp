#pragma once
// `redkeep migrate FILE`.

#include <ostream>
#include <string>

namespace redkeep::config {

/// Migrates the keepalived.conf at `path` (config/migrate.hpp), reading the scripts it names
/// from this machine (regular files only), and writes the redkeep configuration to `out`. Then
/// checks the result as `redkeep check` would on this machine: its errors, and the
/// keepalived.conf's syntax errors, go to `err`. Returns 0 when the result passes, 1 when it
/// does not (it is still written), 2 when `path` is not a readable regular file (or over 1 MiB).
int run_migrate(const std::string& path, std::ostream& out, std::ostream& err);

}  // namespace redkeep::config
