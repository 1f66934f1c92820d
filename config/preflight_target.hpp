#pragma once
// What the preflight of one instance's Redis asks (redis/preflight_probe.hpp), from the
// configuration: the redis block, and the members known before anything runs.

#include <string>

#include "config/model.hpp"
#include "redis/preflight_probe.hpp"

namespace redkeep::config {

/// The redis block's Redis with its credentials, rename_command lines and check_timeout; as
/// members, the unicast peers at the same Redis port and those the state file at `state_file`
/// remembers for this instance. Throws std::runtime_error when password_file is unreadable
/// (config::read_redis_password). `instance` must have a redis block.
redis::PreflightTarget preflight_target(const VrrpInstance& instance,
                                        const std::string& state_file);

}  // namespace redkeep::config
