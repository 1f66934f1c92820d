#pragma once
// How redkeep reaches a Redis: credentials and command names. Pure data.

#include <optional>
#include <string>

#include "redis/command_names.hpp"

namespace redkeep::redis {

/// How redkeep logs in to a Redis and what its commands are called there: the redis block's
/// credentials and rename_command lines, the same for the local Redis and the members'.
struct Access {
  std::optional<std::string> user;      ///< ACL user (Redis >= 6); used with password
  std::optional<std::string> password;  ///< AUTH password (requirepass or the user's)
  CommandRenames renames;               ///< rename_command: ORIGINAL -> NEW
};

}  // namespace redkeep::redis
