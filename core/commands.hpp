#pragma once
// What the core (core::Instance) asks its shell to do, in order: messages to the other actors,
// timers, and log lines. The shell carries them out and does nothing of its own.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/log_event.hpp"
#include "net/ip_address.hpp"
#include "net/member_probe.hpp"

namespace redkeep::core {

/// Send one advert with this priority (0 = leaving Master).
struct AdvertOut {
  std::uint8_t priority;
};

/// Add (up) or remove (down) the instance's VIPs. `generation` orders commands; the vip actor
/// answers each with VipDone of the same generation.
struct VipCommand {
  std::uint64_t generation;
  bool up;
};

/// Renew the held VIPs' lifetime (at every advert sent as Master).
struct RenewVip {};

/// Make the local Redis master (`master` empty) or a replica of `master`.
/// Later generations supersede earlier ones; `kill_clients` drops normal
/// client connections after demotion (sparing redkeep-*).
struct RoleCommand {
  std::uint64_t generation;
  std::optional<net::IpAddress> master;  ///< nullopt = REPLICAOF NO ONE
  std::uint16_t port = 6379;
  bool kill_clients = false;
  /// The local Redis restarted with data not synced since (RedisHealth::loaded_data): the
  /// sync gate guards it (redis::SyncRequest::loaded_data).
  bool loaded_data = false;
};

/// Deliver TimerFired{generation} at `deadline` (a later ArmTimer supersedes it).
struct ArmTimer {
  std::uint64_t generation;
  std::chrono::steady_clock::time_point deadline;
};

/// Deliver OverdueDue at `at`: when the Master's adverts become overdue.
struct ArmOverdue {
  std::chrono::steady_clock::time_point at;
};

/// Tell redis_health the Master's adverts are overdue (compare offsets with the fellow
/// replicas now and at every check, ask the VIP) or heard again.
struct MasterOverdue {
  bool overdue;
};

/// Probe the members now (the Master's adverts are overdue).
struct ProbeMembers {};

/// Watch `vip` (the first VIP at the Redis port) every few tens of milliseconds, as one member
/// probe (net::MemberProber: a reply or a kernel acknowledgement); nullopt stops watching.
struct VipWatch {
  std::optional<net::RedisEndpoint> vip;
};

/// A gratuitous ARP burst now (a lower-priority Master was heard).
struct GarpBurst {};

/// A cut-off Master: no delayed or refresh bursts (they would pull clients to it as it heals).
struct GarpQuiet {
  bool quiet;
};

/// Compare the local Redis's replication history with that of `peer`'s Redis (same port);
/// answered by HistoryVerdict.
struct CompareHistory {
  net::IpAddress peer;  ///< the other Master's Redis address (peer_redis_address)
};

/// Deliver Recheck after the current event (a re-run of the data rules).
struct RecheckLater {};

/// Hand the resumable state (Instance::snapshot) to the supervisor.
struct SaveSnapshot {};

/// The stop protocol is over: the daemon may exit.
struct StopDone {};

/// Deliver StopWaitOver after `wait`.
struct ArmStopWait {
  std::chrono::microseconds wait;
};

/// Switchover: pause writes on the Master's Redis (`CLIENT PAUSE pause WRITE`),
/// then wait up to `timeout` until the local Redis holds a fresh read of the Master's offset.
/// Answered by CaughtUp of the same id; on failure the pause is lifted before the answer.
struct CatchUp {
  std::uint64_t id = 0;
  net::RedisEndpoint master;
  std::chrono::milliseconds timeout{0};
  std::chrono::milliseconds pause{0};
};

/// Lift the pause of CatchUp `id` (CLIENT UNPAUSE on the old Master): with `after_demotion`,
/// once its Redis is no longer master (so no write lands there after the catch-up), at the
/// latest when the pause would end by itself; else at once (the switchover was aborted).
struct ReleasePause {
  std::uint64_t id = 0;
  bool after_demotion = false;
};

/// The answer to SwitchoverStart `id`: done (this node is Master, its Redis master, the VIP
/// held) or refused/aborted, with the sentence for the operator.
struct SwitchoverResult {
  std::uint64_t id = 0;
  bool ok = false;
  std::string detail;
};

/// Deliver SwitchoverDeadline{id} after `after`.
struct ArmSwitchoverDeadline {
  std::uint64_t id = 0;
  std::chrono::microseconds after{0};
};

/// Everything the core asks for.
/// Run the notify scripts of a transition (keepalived's notify_* and notify), after those of
/// every earlier transition: `state` MASTER, BACKUP, FAULT or STOP; `priority` the effective
/// priority then (keepalived passes it to `notify`).
struct Notify {
  std::string state;
  std::uint8_t priority = 0;
};

using Command =
    std::variant<AdvertOut, VipCommand, RenewVip, RoleCommand, ArmTimer, ArmOverdue, MasterOverdue,
                 ProbeMembers, VipWatch, GarpBurst, GarpQuiet, CompareHistory, RecheckLater,
                 SaveSnapshot, StopDone, ArmStopWait, CatchUp, ReleasePause, SwitchoverResult,
                 ArmSwitchoverDeadline, LogEvent,
                 Notify>;

/// The commands of one event, in the order they are to be carried out.
using Output = std::vector<Command>;

}  // namespace redkeep::core
