#pragma once
// The Redis password of a `redis` block, from `password` or from `password_file`.

#include <optional>
#include <string>

#include "config/model.hpp"
#include "redis/access.hpp"

namespace redkeep::config {

/// The password from `password`, or the first line of `password_file` (without the newline or
/// a trailing CR); nullopt when neither is set. Read at each call, so a rotated file is picked
/// up by the next connection. Throws std::runtime_error naming the file when it is not a
/// regular file, is empty or unreadable, or its first line is over 4095 bytes; the text never
/// contains the password.
std::optional<std::string> read_redis_password(const RedisSettings& settings);

/// The block's user, password (read_redis_password, same errors) and rename_command lines.
redis::Access read_redis_access(const RedisSettings& settings);

}  // namespace redkeep::config
