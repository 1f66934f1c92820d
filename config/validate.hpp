#pragma once
// Rules that relate several keywords or several instances. Runs after build_config().

#include <string>
#include <vector>

#include "config/builder.hpp"
#include "config/diagnostic.hpp"
#include "config/model.hpp"

namespace redkeep::config {

/// Completes and checks a built configuration in place, appending to `diagnostics`:
/// - applies global_defs vrrp_version to instances without `version`;
/// - required keywords: interface, virtual_router_id, at least one virtual_ipaddress;
/// - advert_int by version: v2 whole seconds 1..255 (RFC 3768), v3 0.01..40.95 (RFC 5798);
/// - v3 with authentication: warning, ignored (keepalived 2.2.7); PASS without auth_pass:
///   warning, no authentication (keepalived);
/// - nopreempt / preempt_delay with state MASTER: warning and cleared (keepalived);
/// - v3_checksum_as_v2 with version 2: warning, no effect;
/// - one address family per instance; IPv6 needs version 3; peers of the VIPs' family;
/// - redis: password and password_file exclusive; user needs one of them;
/// - distinct instance names; distinct VRIDs per interface and family (error naming both).
/// - vrrp_script: a script is required, names are distinct; a script no instance tracks draws
///   a warning; track_script entries name a vrrp_script (error with the nearest name) and are
///   resolved into VrrpInstance::track_script with their weight (the entry's, else the
///   script's); one tracked twice draws a warning.
/// A file without any vrrp_instance is an error (nothing to run).
void validate(Config& config, const SourceMap& source, const std::string& file_name,
              std::vector<Diagnostic>& diagnostics);

}  // namespace redkeep::config
