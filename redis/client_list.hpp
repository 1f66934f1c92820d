#pragma once
// Parsing of CLIENT LIST (Redis doc "CLIENT LIST": one client per line, space-separated
// field=value pairs) and the choice of clients to drop when a master is demoted. Pure.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace redkeep::redis {

/// Prefix of the names redkeep gives its own connections with CLIENT SETNAME.
inline constexpr std::string_view kRedkeepClientPrefix = "redkeep-";

/// The fields of one CLIENT LIST line that redkeep uses.
struct ClientEntry {
  std::uint64_t id = 0;
  std::string addr;   ///< "ip:port" of the peer.
  std::string name;   ///< CLIENT SETNAME name; empty when unset.
  std::string flags;  ///< e.g. "N", "S" (replica), "M" (master link), "P" (subscriber).
};

/// Parses CLIENT LIST output. LF or CRLF lines; unknown fields are skipped; lines without a
/// valid numeric id are dropped. Never throws.
std::vector<ClientEntry> parse_client_list(std::string_view text);

/// True when a client must be disconnected when this Redis stops being master, so that
/// application clients reconnect through the VIP: every client except redkeep's own
/// (name starts with "redkeep-") and the replication links, identified by the CLIENT LIST
/// flags S (a replica connected to us) and M (our link to our master).
bool should_kill_on_demotion(const ClientEntry& client);

/// Name of redkeep's health-check connection (redis_health): while it is listed, a live
/// redkeep watches this Redis (its restart guard and its role changes act on it).
inline constexpr std::string_view kHealthClientName = "redkeep-health";

/// Whether a redkeep health connection is among `clients`: a Master whose redkeep died (or a
/// keepalived master) has none, and nothing guards its Redis against a restart.
bool watched_by_redkeep(const std::vector<ClientEntry>& clients);

/// The ids of the clients for which should_kill_on_demotion() holds, in listing order.
std::vector<std::uint64_t> client_ids_to_kill(const std::vector<ClientEntry>& clients);

}  // namespace redkeep::redis
