#pragma once
// The one gate every REPLICAOF <master> goes through: boot, a restarted Redis,
// demotion, self-correction, following a new master, retries. A full sync replaces the
// replica's data set, so before it the two data sets are compared, and a Redis whose data
// the master lacks is not pointed at it. Bypassing the gate does not compile: REPLICAOF to a
// master (redis::replicaof) takes a SyncPermit, and only judge_sync makes one.
//
// Also the comparison of two data sets the cold-start rule uses: which of
// two Redis holds the other's data, by replication ids and offsets where they decide, else by
// key samples looked up both ways. Pure: INFO and samples in, verdicts and text out; the
// caller does the Redis round trips.

#include <cstdint>
#include <optional>
#include <string>

#include "redis/failure.hpp"
#include "redis/history.hpp"
#include "redis/info.hpp"

namespace redkeep::redis {

/// Which of two data sets holds the other's.
enum class DataOrder {
  same,          ///< each holds the other's (equal histories, or every sampled key both ways)
  ours_newer,    ///< ours holds theirs and more
  theirs_newer,  ///< theirs holds ours and more
  diverged,      ///< each holds writes the other lacks
  unknown,       ///< not compared (keys not sampled, or the samples failed)
};

/// "same", "ours newer", "theirs newer", "diverged", "unknown".
const char* to_string(DataOrder order);

/// One side of a comparison: INFO replication and keyspace of a Redis.
struct DataSide {
  ReplicationInfo repl;
  std::int64_t keys = 0;
};

/// The side an INFO (replication, keyspace) describes.
DataSide data_side(const InfoSections& info);

/// By replication ids and offsets (PSYNC2): an empty side is older than one holding keys,
/// and a history that contains the other's (history_contains) is newer. What Redis 7.0
/// restores after a restart (checked against redis-server in tests/unit/redis): an RDB saved
/// with replication info (by a replica, or a master that had replicas) comes back as
/// master_replid2 / second_repl_offset - 1; an RDB of a master that never had replicas, and
/// AOF, come back under a fresh id at offset 0: ids cannot decide, nullopt (sample keys).
std::optional<DataOrder> order_by_history(const DataSide& mine, const DataSide& theirs);

/// By key samples looked up both ways (sample_against): `ours_there` is a sample of our keys
/// looked up on theirs, `theirs_here` the other way. Ours is newer when they lack some of ours
/// and we hold all of theirs; both lacking some: diverged. Key names, not values: a data set
/// that differs only by overwritten values compares as the same.
DataOrder order_by_keys(const KeySample& ours_there, const KeySample& theirs_here);

/// Both steps: order_by_history, else the samples; when the samples find nothing missing
/// either way, or the ACL or a renamed command forbids sampling (noperm, unknown_command), the
/// side with more keys is the newer. Samples not taken or failed otherwise: unknown.
DataOrder compare_data(const DataSide& mine, const DataSide& theirs,
                       const std::optional<Result<KeySample>>& ours_there,
                       const std::optional<Result<KeySample>>& theirs_here);

/// "1000 keys, replid 3f2a9c01 at 5120" for logs and status.
std::string describe_side(const DataSide& side);

/// Where a restarted Redis is pointed so that it feeds no replica: port 1 of its own loopback,
/// where nothing listens. A replica whose master link is down answers -NOMASTERLINK to
/// SYNC/PSYNC (DESIGN.md section 5); it keeps its data (no sync ever starts).
inline constexpr const char* kNowhereHost = "127.0.0.1";
inline constexpr int kNowherePort = 1;

/// True for the replica-of-nowhere placeholder: no member's Redis lives there.
inline bool is_nowhere(const std::string& host, int port) {
  return host == kNowhereHost && port == kNowherePort;
}

struct SyncRequest;
struct SyncVerdict;

/// Where the refusal message points the operator.
struct SyncParties {
  std::string master_host;
  int master_port = 0;
  std::string own_address;  ///< this node's primary address
  int own_port = 0;
};

/// Leave to point this Redis at a master with REPLICAOF: made only by judge_sync, used once
/// (move-only: redis::replicaof consumes it).
class SyncPermit {
 public:
  SyncPermit(SyncPermit&&) = default;
  SyncPermit& operator=(SyncPermit&&) = default;
  SyncPermit(const SyncPermit&) = delete;
  SyncPermit& operator=(const SyncPermit&) = delete;

  const std::string& host() const { return host_; }
  int port() const { return port_; }

 private:
  SyncPermit(std::string host, int port) : host_(std::move(host)), port_(port) {}
  friend SyncVerdict judge_sync(const SyncRequest& request);
  std::string host_;
  int port_ = 0;
};

/// What the gate is asked: may the local Redis (`mine`: INFO replication, keyspace,
/// persistence) become a replica of the master at parties.master_host:master_port (`theirs`:
/// INFO replication, keyspace)?
struct SyncRequest {
  InfoSections mine;
  std::optional<InfoSections> theirs;  ///< nullopt: the master did not answer INFO
  /// The local Redis restarted with data (loaded from disk) and has not synced or been
  /// promoted since (redis_health saw its run_id change with keys in it): its data is the
  /// only copy of whatever the master lacks.
  bool loaded_data = false;
  /// Key samples, when needs_key_samples(mine, theirs) asked for them (sample_against).
  std::optional<Result<KeySample>> ours_there;
  std::optional<Result<KeySample>> theirs_here;
  SyncParties parties;
};

/// The gate's answer: a permit, or the refusal (retried by the caller: the master may change,
/// or the operator settles it with the commands the text names).
struct SyncVerdict {
  std::optional<SyncPermit> permit;
  std::string refusal;  ///< when no permit
  /// With a permit: what the sync discards, for the log ("; it took N bytes ..."), or "".
  std::string note;
};

/// Whether judge_sync needs key samples for this pair: the local Redis holds data that must
/// be guarded (loaded from disk at a restart: request.loaded_data; or, under a history the
/// master does not share, rdb_last_load_keys_loaded or AOF on), neither side is LOADING, and
/// the ids and offsets cannot decide.
bool needs_key_samples(const SyncRequest& request);

/// The gate. Permits when the local Redis holds no keys, or the master's history holds ours
/// (same or theirs newer by ids and offsets). Guarded data (needs_key_samples) is refused when
/// its history goes further than the master's, either side is LOADING, or the master lacks
/// some of its sampled keys (diverged when it lacks some of the master's too), with both
/// sides and the commands that settle it named; it is permitted when the master holds every
/// sampled key. Data that came by replication in a running cluster (a demoted Master, a
/// replica ahead of the new master by the old master's last bytes: a shared history) follows
/// the elected master as before, and the permit's note says what the sync discards. Keys that
/// cannot be sampled because the ACL or a renamed command forbids it (noperm,
/// unknown_command): key counts decide. A sample compares names: a master that lacks a few
/// keys the sample did not hit is not seen.
SyncVerdict judge_sync(const SyncRequest& request);

}  // namespace redkeep::redis
