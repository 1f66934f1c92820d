#pragma once
// `redkeep check --config FILE`.

#include <ostream>
#include <string>

namespace redkeep::config {

/// Loads `path`; writes every diagnostic (one `FILE:LINE:COLUMN: error|warning: ...` per line) to
/// `err`, and on success the effective configuration (format_effective) to `out`.
/// Returns the exit status: 0 when the file is valid (warnings allowed), 1 otherwise.
int run_check(const std::string& path, std::ostream& out, std::ostream& err);

/// `redkeep check --config FILE --online`: loads `path` as run_check does, then for each
/// instance's redis block asks its Redis and the members' Redis (redis/preflight_probe.hpp)
/// and writes every finding (redis/preflight.hpp), one per line, to `out`. Returns 1 when the
/// file is invalid or any finding is an error, else 0. Changes nothing on any Redis.
int run_check_online(const std::string& path, std::ostream& out, std::ostream& err);

}  // namespace redkeep::config
