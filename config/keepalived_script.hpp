#pragma once
// What a keepalived script does, read from its text, for `redkeep migrate`: a `vrrp_script`
// that only checks the local Redis (redis-cli ... PING) becomes the redis block; a notify
// script that only switches Redis roles (SLAVEOF / REPLICAOF) is dropped, since redkeep does
// that itself; anything else stays a script. A reading of the common shell shapes (the
// recipe's scripts, `redis-cli ping` one-liners), not a shell: what it cannot follow makes
// the script `other`, which keeps it. Pure: the files it sources come through a callback.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace redkeep::config {

/// What a script does.
enum class ScriptKind {
  redis_check,  ///< only asks the local Redis (PING, INFO, ROLE) and logs
  redis_role,   ///< only switches the local Redis's role (SLAVEOF / REPLICAOF) and logs
  other,        ///< anything else (or what this reading cannot follow)
};

/// The verdict on one script.
struct ScriptVerdict {
  ScriptKind kind = ScriptKind::other;
  /// Why, for the comment `migrate` writes: "runs redis-cli -h 127.0.0.1 -p 6379 PING",
  /// "runs mail", "sources /etc/x.sh, which cannot be read".
  std::string reason;
  std::optional<int> port;  ///< the Redis port the redis-cli calls name (when they agree)
  /// The credentials the redis-cli calls use (-a / --pass / REDISCLI_AUTH, --user, or those of
  /// a -u redis:// URL): the redis block needs them. Never part of `reason`.
  std::optional<std::string> password, user;
};

/// Reads a file a script sources (`source F`, `. F`); nullopt when it cannot be read.
using ReadFile = std::function<std::optional<std::string>(const std::string& path)>;

/// Classifies the script `text`, found at `path` (for `$(dirname $0)`), reading the files it
/// sources through `read` (at most 8 levels deep). A `script "redis-cli -p 6379 ping"` line
/// of keepalived.conf is a script whose text is that line. Never throws.
ScriptVerdict classify_script(std::string_view text, const std::string& path, const ReadFile& read);

/// "redis_check", "redis_role", "other".
const char* to_string(ScriptKind kind);

}  // namespace redkeep::config
