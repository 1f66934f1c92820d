#pragma once
// The cold start's comparison of the local Redis with one member's: the round
// trips, with the verdict left to redis::compare_data. Blocks up to `timeout` per round trip:
// for redis_health's own thread, never CAF's scheduler.

#include <chrono>
#include <optional>
#include <string>

#include "redis/connection.hpp"
#include "redis/sync_gate.hpp"

namespace redkeep::redis {

/// What one member's Redis said: its data's order against ours and its side ("1000 keys,
/// replid ..."), or why it could not be compared.
struct MemberComparison {
  std::optional<DataOrder> order;  ///< nullopt: not compared
  std::string detail;              ///< its side, when compared
  std::string why_not;             ///< "no answer", "LOADING", "keys not comparable: ..."
};

/// Connects to host:port (connect and command timeout `timeout`, the instance's Access),
/// reads its INFO replication, keyspace and persistence, and compares with `mine` (the local
/// Redis's, read on `own`): by ids and offsets, else by key samples both ways. A member still
/// LOADING shows part of its data: not compared.
MemberComparison compare_with_member(Connection& own, const InfoSections& mine,
                                     const std::string& host, int port,
                                     std::chrono::milliseconds timeout,
                                     const Access& access);

}  // namespace redkeep::redis
