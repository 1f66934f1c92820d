#pragma once
// From what the local Redis says to a RedisHealth report, and the fellow-replica comparison
// (the most up-to-date replica wins): pure decisions of redis_health, which only asks Redis
// and sends the result.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/events.hpp"
#include "net/member_probe.hpp"
#include "redis/info.hpp"

namespace redkeep::core {

/// A replica that has not sent REPLCONF ACK (every second) for longer than this many seconds
/// counts as gone: a cut-off replica stays "online" in INFO until repl-timeout (60 s).
inline constexpr std::int64_t kReplicaAckLimit = 3;

/// INFO's spelling of a role ("master", "slave"), "" when unknown: the status and the state
/// file keep Redis's word.
const char* info_role_word(redis::InfoRole role);

/// The replication fields of a report from INFO replication and server: role, master, link,
/// offsets and ids, and as master the replicas connected (ACK within kReplicaAckLimit s),
/// following (redis::follows_now), in a sync state, and the smallest ACK lag. The health
/// fields (healthy, last_result, ...) are left at their defaults.
RedisHealth report_from_info(const redis::ReplicationInfo& repl, const redis::ServerInfo& server);

/// Whether a replica compares offsets with its fellow replicas at this check: once its master
/// link is down, or while the Master's adverts are overdue (the link may still look up when
/// the Master's node vanished or its packets are dropped: Redis notices after repl-timeout).
bool compares_with_fellows(const RedisHealth& report, bool master_overdue);

/// Whether `fellow` (its INFO replication) is ahead of this replica in the same history: its
/// replication id is ours (or its previous one is: promoted meanwhile) and its offset is larger
/// than `our_offset`. An empty `our_replid` matches nothing.
bool fellow_ahead(const redis::ReplicationInfo& fellow, const std::string& our_replid,
                  std::int64_t our_offset);

/// Whether the local Redis is a replica of nowhere (redis::kNowhereHost:kNowherePort): the
/// restart guard put it there, so if it holds keys its restart is not resolved yet.
bool replica_of_nowhere(const RedisHealth& report);

/// Whether a restart with data is resolved: the Redis was promoted (master), or is a replica of
/// a real master with its link up and no sync running (synced). Not while it is a replica of
/// nowhere.
bool restart_resolved(const RedisHealth& report);

/// A cold-start round that ran out of time before it asked `member`: the last
/// round's finding for it stands, or it is missing ("ADDRESS:PORT (not asked yet)"). Appends
/// to `compared` or `missing`.
void carry_over(const std::string& member, const std::vector<MemberData>& last,
                std::vector<MemberData>& compared, std::vector<std::string>& missing);

/// A member of the cluster as INFO, unicast_peer or the state file name it (`host`:`port`):
/// an IPv4 or IPv6 address that is not loopback, not link-local (no interface to reach it
/// by) and not this node's own Redis (`self`:`self_port`). nullopt for anything else (a
/// name, a port out of range).
std::optional<net::RedisEndpoint> member_endpoint(const std::string& host, int port,
                                                  const net::IpAddress& self,
                                                  std::uint16_t self_port);

}  // namespace redkeep::core
