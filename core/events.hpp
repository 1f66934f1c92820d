#pragma once
// What happens to one vrrp_instance, as the core (core::Instance) takes it in: a packet, a
// timer, a report of the local Redis, a confirmation of a command. The actors turn messages
// and timers into these; most are also the messages themselves (actors/messages.hpp).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "core/cold_start.hpp"
#include "net/ip_address.hpp"
#include "net/vrrp/reject_reason.hpp"
#include "net/vrrp/state_machine.hpp"
#include "redis/history.hpp"
#include "redis/info.hpp"

namespace redkeep::core {

/// A valid advert for our VRID (already validated by net/vrrp).
struct AdvertIn {
  net::vrrp::PeerAdvert advert;
};

/// A packet that failed validation: why (the codec's reason, a counter key) and a human
/// sentence for the rate-limited log line (size, source).
struct AdvertRejected {
  net::vrrp::RejectReason reason = net::vrrp::RejectReason::ip_header;
  std::string detail;
};

/// Whether the kernel took the advert of one AdvertOut for every destination. A Master
/// that cannot send steps down (StateMachine::advert_send_result).
struct AdvertSent {
  bool sent;
};

/// The vip actor's answer to the VipCommand of the same generation.
struct VipDone {
  std::uint64_t generation;
  bool up;
  bool ok;
  std::string error;  ///< empty when ok
};

/// Carrier state of the VRRP interface (vip actor's link monitor).
struct LinkStatus {
  bool up;
};

/// Number of gratuitous ARPs just sent.
struct GarpSent {
  std::uint32_t count;
};

/// What redis_health learned from the local Redis at one check.
struct RedisHealth {
  bool healthy = false;       ///< after fall/rise: false = Fault
  bool loading = false;       ///< alive but LOADING its data: not fit to be master
  bool config_error = false;  ///< NOAUTH/WRONGPASS: the password is wrong
  std::string last_result;    ///< "PONG", "Failed (connection refused)", ...
  redis::InfoRole role = redis::InfoRole::unknown;
  std::string master_host;  ///< replica: whom it follows
  std::uint16_t master_port = 0;
  std::optional<redis::LinkStatus> master_link_status;  ///< replica: INFO master_link_status
  bool sync_in_progress = false;                        ///< replica: a full sync is running
  /// Set in the first report after redkeep found that Redis restarted (a new
  /// run_id): whatever it held in memory is gone unless it loaded it back.
  /// redis_health has already made it a replica of nowhere (-NOMASTERLINK
  /// to anyone who tries to sync from it).
  bool restarted = false;
  /// Redis restarted with data (keys, or LOADING, when first seen after the restart: loaded
  /// from disk) and has not synced from a master or been promoted since: its data may be the
  /// only copy of writes the others lack. Passed to the sync gate with each
  /// RoleCommand.
  bool loaded_data = false;
  /// Members of the cluster known (learned while running, kept in the state file).
  std::size_t members_known = 0;
  /// While loaded_data: its data compared with each member's Redis that answered (cold start
  /// after a power loss), and the members that did not (or could not be compared yet).
  std::vector<MemberData> cold_start_compared;
  std::vector<std::string> cold_start_missing;
  /// Replica whose master link is down: whether a fellow replica of the same
  /// history holds a larger offset (nullopt: none could be asked).
  std::optional<bool> behind_peer;
  std::string behind_detail;      ///< which replica, which offsets
  std::int64_t repl_offset = -1;  ///< master_repl_offset
  std::string run_id;
  std::string replid;
  std::uint32_t connected_replicas = 0;
  /// As master: replicas in a sync state, and online ones that ACKed within the last second
  /// (INFO lag <= 1): those that follow this node now.
  std::uint32_t replicas_syncing = 0;
  std::uint32_t replicas_following = 0;
  /// As master: seconds since the latest REPLCONF ACK of any online replica
  /// (the smallest INFO `lag`); 0 when none is listed.
  std::int64_t replicas_silent_s = 0;
  /// How far replication lags, seconds: as replica, since the master's last I/O
  /// (master_last_io_seconds_ago); as master, the largest `lag` of its online replicas.
  /// nullopt: not known (no replica, link never up).
  std::optional<std::int64_t> replication_lag_s;
  /// Replica, asked while the Master's adverts are overdue: the first VIP (at our Redis port)
  /// still leads to a master Redis of the history this replica follows.
  /// nullopt: not asked, or nothing answered at the VIP.
  std::optional<bool> vip_serves_master;
  std::string vip_detail;  ///< what answered at the VIP, for the log
  /// Redis replica-priority (CONFIG GET, or INFO slave_priority as a replica): 0 = never
  /// promote this node (Redis's meaning, which Sentinel follows too). nullopt: not read.
  std::optional<std::int64_t> replica_priority;
};

/// One round of member probes (net::MemberProber): how many members were asked and how many
/// replied. `started` is when the round began: a reply proves contact since then.
struct ProbeRound {
  std::chrono::steady_clock::time_point started;
  std::size_t members = 0;
  std::size_t answered = 0;
};

/// The watched VIP's node answered (true) or stopped answering (false): sent at each change.
struct VipReached {
  bool reached = false;
};

/// The history comparison's outcome (redis::floor_tie_outcome); `address` when the peer's
/// Redis could not be asked. `detail` names ids, offsets and replicas for the log.
struct HistoryVerdict {
  net::IpAddress peer;
  redis::FloorTie outcome = redis::FloorTie::address;
  std::string detail;
};

/// The redis_role actor's answer to the RoleCommand of the same generation.
struct RoleDone {
  std::uint64_t generation;
  bool ok;
  std::string detail;  ///< what was done or why it failed
  /// Redis refuses the command for good (ACL NOPERM, renamed command): no
  /// retry will help until an operator acts.
  bool refused = false;
  /// The sync gate refused the re-sync: following the master would discard data only this
  /// node holds (redis/sync_gate.hpp).
  bool resync_refused = false;
};

/// The instance's children were (re)wired: `first` the first time; `redis_health`, `vip` and
/// `member_probe` say which child is a new incarnation that knows nothing of what it was told
/// before; `*_up` whether that child runs now (it may be between restarts).
struct Wired {
  bool first = false;
  bool redis_health = false;
  bool vip = false;
  bool member_probe = false;
  bool redis_health_up = true;
  bool vip_up = true;
};

/// The timer of ArmTimer `generation` fired (older generations are stale).
struct TimerFired {
  std::uint64_t generation;
};

/// The moment of an ArmOverdue came.
struct OverdueDue {};

/// Re-run the data rules (sent to itself after a change, so it runs after the current event).
struct Recheck {};

/// The daemon stops: leave Master with priority 0, remove the VIP, demote Redis to the new
/// master (answered by StopDone).
struct Stop {};

/// The wait of ArmStopWait ended.
struct StopWaitOver {};

/// The operator said to go on without the members a cold start waits for (`redkeep
/// cold-start --force`): until its Redis has synced or been promoted, the instance goes on as
/// with cold_start_quorum 1. Ignored when no cold start holds.
struct ColdStartOverride {};

/// `redkeep switchover` asks this node to become Master. Answered by exactly one
/// SwitchoverResult of the same id; `timeout` bounds the catch-up (milliseconds).
struct SwitchoverStart {
  std::uint64_t id = 0;
  std::chrono::milliseconds timeout{0};
};

/// The switchover actor's answer to CatchUp `id`: writes are paused on the Master and the
/// local Redis holds the Master's offset (ok), or why not (then the pause is already lifted).
struct CaughtUp {
  std::uint64_t id = 0;
  bool ok = false;
  std::string detail;  ///< offsets reached, or the failure
};

/// The deadline of ArmSwitchoverDeadline `id` came.
struct SwitchoverDeadline {
  std::uint64_t id = 0;
};

/// One run of tracked script `index` (VrrpInstance::track_script) ended.
struct ScriptRun {
  std::size_t index = 0;
  bool success = false;
  std::string detail;  ///< "exited with status 1", "timed out after 2000 ms ..."
};

/// Why the local Redis's replication is stuck now (redis::LinkDiagnosis: the master link down
/// with a cause found, NOREPLICAS), sent at each change; empty: nothing stands. For status.
struct ReplicationDiagnosis {
  std::vector<std::string> causes;
};

/// Everything the core takes in.
using Event = std::variant<AdvertIn, AdvertRejected, AdvertSent, VipDone, LinkStatus, GarpSent,
                           RedisHealth, ProbeRound, VipReached, HistoryVerdict, RoleDone, Wired,
                           TimerFired, OverdueDue, Recheck, Stop, StopWaitOver,
                           ColdStartOverride, SwitchoverStart, CaughtUp, SwitchoverDeadline,
                           ScriptRun, ReplicationDiagnosis>;

}  // namespace redkeep::core
