#pragma once
// Comparing this node's Redis data with another node's before a role change:
// what a demotion discards, and whether a full sync may replace data loaded
// from disk (DESIGN.md section 3). Pure: INFO sections in,
// verdicts and log text out; the caller does the Redis round trips.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "redis/failure.hpp"
#include "redis/info.hpp"

namespace redkeep::redis {

/// Keys in all databases, from INFO keyspace ("db0:keys=3,expires=0,...").
std::int64_t key_count(const InfoSections& info);

/// The database numbers INFO keyspace lists with keys, ascending ("db3" -> 3).
std::vector<int> databases_with_keys(const InfoSections& info);

/// Whether this Redis holds keys and INFO persistence says it loaded an RDB
/// (rdb_last_load_keys_loaded > 0): from disk at its start, or from a master's full sync,
/// which Redis counts the same way. Keys an AOF replays are not counted (Redis 7.0; checked in
/// tests/unit/redis/restart_facts_test.cpp).
bool holds_loaded_data(const InfoSections& mine);

/// A master being demoted may have taken writes the new master never saw (an
/// isolated old master): its offset against the point where the new master's
/// history left it (second_repl_offset of the same replication id). Returns
/// a clause for the log ("; it took N bytes of replication stream ..."): client
/// writes, or the master's own PINGs to its replicas; empty when unknown.
/// Offsets are bytes of the replication stream.
std::string writes_discarded(const InfoSections& mine, const InfoSections& theirs);

/// Whether the data of `a` holds everything the data of `b` does, by replication ids and
/// offsets (Redis PSYNC2, INFO replication): `b`'s stream is a prefix of `a`'s. A promoted
/// replica that took nothing since its promotion (master_repl_offset = second_repl_offset - 1)
/// counts as the history it left. Used when two floor-priority Masters meet: the
/// one whose history contains the other's wins. Offsets cannot prove a promoted Redis took
/// nothing of meaning (expired keys put deletions in its stream): then neither contains the
/// other, and the address decides.
bool history_contains(const ReplicationInfo& a, const ReplicationInfo& b);

/// Who wins when two floor-priority Masters meet, one of them cut off.
enum class FloorTie {
  ours,     ///< our history contains theirs, or only we kept replicas: return to our priority
  theirs,   ///< theirs contains ours, or only they kept replicas: concede the tie
  address,  ///< nothing decides: the address tie-break of RFC 5798 section 6.4.3
};

/// Bytes of replication stream each side took since their histories forked (ours, theirs),
/// when the fork point is known from the replication ids: one was promoted from the other's
/// history (its master_replid2 is the other's master_replid, forked at its
/// second_repl_offset - 1), or both were promoted from the same one. nullopt otherwise.
std::optional<std::pair<std::int64_t, std::int64_t>> bytes_since_fork(
    const ReplicationInfo& mine, const ReplicationInfo& theirs);

/// The comparison of two floor-priority Masters' Redis (INFO replication of each), in order:
/// the one whose history contains the other's wins (history_contains); when neither does
/// (both took writes, or an expired key put a deletion in a stream that took nothing else),
/// the one that kept members, i.e. has a replica that follows it now (follows_now: a cut-off
/// master's INFO still lists its lost replicas as online until repl-timeout): the cluster
/// continued on it; else the one that took more bytes since the fork (bytes_since_fork: an
/// island that only expired keys took a few DELs, the side clients wrote to took their
/// writes), so the loser's discarded stream is the smaller. A member that merely lags (a
/// prefix of our history) decides nothing beyond that.
FloorTie floor_tie_outcome(const ReplicationInfo& mine, const ReplicationInfo& theirs);

/// The log text of a floor-tie comparison: each side's id, offset and replicas following, and
/// the bytes each took since the fork when known.
std::string describe_floor_tie(const ReplicationInfo& mine, const ReplicationInfo& theirs);

/// How many names of a sample of this node's keys (every database that has
/// keys) the master lacks.
struct KeySample {
  std::size_t sampled = 0;
  std::size_t missing = 0;
};

/// Two floor Masters whose offsets decide nothing (floor_tie_outcome gave
/// `address`): keys decide where they can. `ours_there`: a sample of our keys looked up on theirs;
/// `theirs_here` the other way (sample_against). The side that holds every sampled key of the
/// other while the other lacks some of its own wins (the island that only expired keys, against
/// the side that took writes); anything else leaves it to the address. A sample, not proof.
FloorTie floor_tie_by_keys(const KeySample& ours_there, const KeySample& theirs_here);

/// The log text of floor_tie_by_keys's inputs ("keys: 0 of 64 of ours missing there, ...").
std::string describe_key_samples(const KeySample& ours_there, const KeySample& theirs_here);

}  // namespace redkeep::redis
