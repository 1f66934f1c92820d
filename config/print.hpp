#pragma once
// The effective configuration as text, in the same keepalived syntax it was read from.

#include <string>

#include "config/model.hpp"

namespace redkeep::config {

/// Every keyword with its effective value (defaults filled in, version applied, ignored settings
/// dropped), in keepalived syntax that parse_text() reads back to the same Config. Secrets
/// (auth_pass, redis password) print as ***. Durations print in seconds, as written in the file.
std::string format_effective(const Config& config);

}  // namespace redkeep::config
