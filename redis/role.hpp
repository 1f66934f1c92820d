#pragma once
// Parsing of the ROLE reply (Redis doc "ROLE", Redis >= 2.8.12). Pure, never throws.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "redis/reply.hpp"

namespace redkeep::redis {

/// Replication link state of a replica as ROLE reports it (Redis 7.0 replication.c):
/// "none", "connect", "connecting", "handshake", "sync", "connected".
enum class ReplicaLinkState { none, connect, connecting, handshake, sync, connected, unknown };

/// A replica as listed in a master's ROLE reply.
struct RoleReplica {
  std::string ip;
  int port = 0;
  std::int64_t offset = 0;  ///< replication offset the replica acknowledged.
};

/// What ROLE says a Redis is.
struct Role {
  enum class Kind { master, replica, sentinel };

  Kind kind = Kind::master;
  /// master: master_repl_offset; replica: offset received from the master (-1 before sync).
  std::int64_t offset = 0;
  std::vector<RoleReplica> replicas;  ///< master only.
  std::string master_host;            ///< replica only, as given to REPLICAOF.
  int master_port = 0;                ///< replica only.
  std::string link_state;             ///< replica only, raw text ("connected", ...).
  std::vector<std::string> sentinel_masters;  ///< sentinel only: monitored master names.

  ReplicaLinkState link() const;
};

/// Parses a ROLE reply:
///   ["master", offset, [[ip, port, offset], ...]]
///   ["slave", host, port, state, offset]
///   ["sentinel", [name, ...]]
/// Numbers are accepted as integers or decimal strings (masters send replica port/offset as
/// strings). nullopt for any other shape, an error reply included.
std::optional<Role> parse_role(const Reply& reply);

/// Maps ROLE's link state text to the enum; unknown text -> ReplicaLinkState::unknown.
ReplicaLinkState parse_link_state(std::string_view text);

const char* to_string(Role::Kind kind);

}  // namespace redkeep::redis
