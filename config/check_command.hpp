#pragma once
// `redkeep check --config FILE`.

#include <ostream>
#include <string>

namespace redkeep::config {

/// Loads `path`; writes every diagnostic (one `FILE:LINE:COLUMN: error|warning: ...` per line) to
/// `err`, and on success the effective configuration (format_effective) to `out`.
/// Returns the exit status: 0 when the file is valid (warnings allowed), 1 otherwise.
int run_check(const std::string& path, std::ostream& out, std::ostream& err);

}  // namespace redkeep::config
