#pragma once
// `redkeep run --config FILE`: the daemon in the foreground.

#include <string>

#include "actors/log.hpp"

namespace redkeep::actors {

/// Runs the daemon until SIGTERM/SIGINT, logging to stderr in `log_format`. Returns the process exit status:
/// 0 after a clean stop, 1 on a configuration or start-up error, or when a
/// child actor kept failing (the VIP is released and priority 0 sent first).
int run_daemon(const std::string& config_path, LogFormat log_format = LogFormat::text);

}  // namespace redkeep::actors
