#pragma once
// The names of the commands redkeep sends, as a Redis with `rename-command` in its redis.conf
// knows them: the `rename_command ORIGINAL NEW` lines of the redis block (as Sentinel's
// `rename-command`). Renaming works on whole commands (CLIENT, not CLIENT KILL), and must be the
// same on every node: redkeep also talks to the members' Redis. Pure: no I/O.
//
// Redis doc: redis.conf "rename-command" (deprecated since Redis 7 in favour of ACLs).

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace redkeep::redis {

/// Every command redkeep sends to a Redis (its own or a member's), upper case, sorted.
const std::vector<std::string>& commands_sent();

/// True when `name` (any case) is one of commands_sent().
bool is_command_sent(std::string_view name);

/// ORIGINAL (upper case) -> the name the Redis knows it by.
using CommandRenames = std::map<std::string, std::string>;

/// The name to send for `original` (upper case, as redkeep's code writes it): its rename, or
/// itself.
const std::string& command_name(const CommandRenames& renames, const std::string& original);

/// `name` in upper case (ASCII): Redis looks commands up case-insensitively.
std::string upper(std::string_view name);

}  // namespace redkeep::redis
