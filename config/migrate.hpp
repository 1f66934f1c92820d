#pragma once
// `redkeep migrate`: a keepalived.conf (the recipe's, or any of the same shape) turned into a
// redkeep configuration. Instances, VIPs, authentication, unicast and timers are carried over
// as written; each script is read (config/keepalived_script.hpp): a vrrp_script that only checks
// the local Redis becomes the instance's redis block, a notify script that only switches Redis
// roles is dropped (redkeep does both itself), anything else stays a script. Every decision is
// a comment in the output, starting with "migrate:". Pure: script files come through `read`.

#include <string>
#include <string_view>
#include <vector>

#include "config/diagnostic.hpp"
#include "config/keepalived_script.hpp"

namespace redkeep::config {

struct MigrateResult {
  std::string text;  ///< the redkeep configuration, with its comments
  /// Syntax errors of the keepalived.conf (unterminated string, unbalanced braces): what
  /// follows them may be missing from `text`.
  std::vector<Diagnostic> diagnostics;
};

/// Migrates the keepalived.conf `text` (`file_name` labels comments and diagnostics), reading
/// the scripts it names through `read`. Never throws.
MigrateResult migrate(std::string_view text, const std::string& file_name, const ReadFile& read);

}  // namespace redkeep::config
