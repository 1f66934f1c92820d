#pragma once
// Cold start after a power loss: a node whose Redis restarted with data does not
// become master before it has compared its data with `cold_start_quorum` members of the
// cluster (itself included), and among those compared the newest data leads. Members are
// the Redis addresses learned while running and kept in the state file; at a cold
// start nobody advertises, so redis_health asks their Redis directly. Pure: comparisons in,
// verdict out.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "redis/sync_gate.hpp"

namespace redkeep::core {

/// The comparison of this node's data with one member's Redis (redis::compare_data).
struct MemberData {
  std::string member;  ///< "ADDRESS:PORT" of its Redis
  redis::DataOrder order = redis::DataOrder::unknown;
  std::string detail;  ///< its side, e.g. "1000 keys, replid 3f2a9c01 at 5120"
};

/// Where the cold start stands.
enum class ColdStartState {
  off,       ///< not a cold start with data, cold_start_quorum 1, or overridden: as before
  waiting,   ///< fewer members compared than the quorum: stays out of Master
  newest,    ///< no member compared holds newer data: eligible although its Redis restarted
  behind,    ///< a member compared holds newer data: stays out, follows it once it leads
  diverged,  ///< a member holds writes this node lacks and the other way: stays out, refuses
};

/// "off", "waiting", "newest", "behind", "diverged".
const char* to_string(ColdStartState state);

/// The verdict, with what `redkeep status` shows.
struct ColdStartVerdict {
  ColdStartState state = ColdStartState::off;
  std::size_t quorum = 1;             ///< members to compare with, this node included
  std::vector<std::string> compared;  ///< members reached and compared
  std::vector<std::string> missing;   ///< members not reached (or not comparable yet)
  std::string detail;                 ///< the member that decided, and both sides
  std::string decided_by;             ///< that member, "ADDRESS:PORT" (behind, diverged)
};

/// The default cold_start_quorum: a majority of the members remembered, this node included
/// (3 nodes: 2). With no member remembered (a new cluster) it is 1: start as before.
std::size_t default_cold_start_quorum(std::size_t members_known);

/// The verdict for one health report. `loaded_data`: the local Redis restarted with data and
/// has not synced or been promoted since (RedisHealth::loaded_data). `quorum_setting`: the
/// redis block's cold_start_quorum (nullopt: the default). `overridden`: the operator said to
/// go on without the missing members (`redkeep cold-start --force`). A member newer than
/// this node decides before a diverged one (following it loses nothing).
ColdStartVerdict judge_cold_start(bool loaded_data, std::optional<unsigned> quorum_setting,
                                  std::size_t members_known,
                                  const std::vector<MemberData>& compared,
                                  const std::vector<std::string>& missing, bool overridden);

/// The status/log sentence: "waiting for cold_start_quorum 2: compared with 0 member(s),
/// missing 192.0.2.12:6379, 192.0.2.11:6379", "192.0.2.11:6379 holds newer data (...)", ...
std::string describe(const ColdStartVerdict& verdict);

}  // namespace redkeep::core
