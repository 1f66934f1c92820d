#pragma once
// The daemon's status as Prometheus metrics, in the text exposition format 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/). Pure: built from the JSON of
// `redkeep status --json`, so /metrics and `status` never disagree.
//
// Names follow Prometheus conventions: the redkeep_ prefix, _total for counters, base units
// (seconds, bytes). Each vrrp_instance is the label `vrrp_instance` (not `instance`, which
// Prometheus sets to the scrape target). States and reasons are label sets whose series all
// exist with 0 or 1, so a rule can alert on a value rather than on a series appearing.

#include <nlohmann/json.hpp>

#include <string>

namespace redkeep::metrics {

/// The Content-Type of the text format.
inline constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

/// Why `status` is not a complete picture: an instance whose election did not answer (an entry
/// with "error"), or no instance list at all; "" when complete. /metrics answers 503 then, so
/// Prometheus sees the target down instead of a node whose instances vanished.
std::string incomplete(const nlohmann::json& status);

/// The exposition of `status` ({"instances": [...]}, the control socket's answer to "status")
/// and the build (`version`). An instance entry without a name (a status error) is skipped.
std::string exposition(const nlohmann::json& status, const std::string& version);

}  // namespace redkeep::metrics
