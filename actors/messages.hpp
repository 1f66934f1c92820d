#pragma once
// Every message the redkeep actors exchange, in one place (DESIGN.md section
// 4). Who sends what to whom:
//
//   advert_io    -> election      AdvertIn, AdvertRejected
//   election     -> advert_io     AdvertOut
//   advert_io    -> election      AdvertSent (one per AdvertOut)
//   election     -> vip           VipCommand, renew_atom
//   vip          -> election      VipDone, LinkStatus, GarpSent
//   redis_health -> election      RedisHealth
//   election     -> redis_health  check_atom, bool (true: the Master is overdue, compare offsets
//                                  with the fellow replicas now and at every check; false: heard)
//   redis_health -> member_probe  Members (every change; the members it learned or loaded)
//   member_probe -> election      ProbeRound (every Advertisement_Interval)
//   election     -> member_probe  VipWatch (a held takeover: watch the VIP's Redis closely)
//   member_probe -> election      VipReached (the watched VIP answered or stopped answering)
//   election     -> member_probe  check_atom (probe now: the Master's adverts are overdue)
//   election     -> vip           garp_atom (a burst now: a lower-priority Master was heard)
//   election     -> vip           quiet_atom, bool (a cut-off Master: no delayed or refresh
//                                  bursts, they would pull clients to it as it heals)
//   election     -> redis_health  CompareHistory (a cut-off Master met another floor Master)
//   redis_health -> election      HistoryVerdict
//   election     -> redis_role    RoleCommand
//   redis_role   -> election      RoleDone
//   election     -> supervisor    ElectionSnapshot
//   supervisor   -> every child   Wiring (after any child (re)starts)
//   control      -> supervisor    status_atom -> JSON text; stop_atom
//   supervisor   -> election      status_atom(restarts) -> JSON text; stop_atom -> bool
//   tests        -> any child     crash_atom (test hook: the child throws)
//
// Local messages only: the structs are allowed as "unsafe" message types
// instead of carrying inspect() overloads nobody would use.

#include <caf/all.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "net/ip_address.hpp"
#include "net/member_probe.hpp"
#include "net/vrrp/state_machine.hpp"
#include "redis/eligibility.hpp"

namespace redkeep::actors {

using restart_atom = caf::atom_constant<caf::atom("restart")>;
using status_atom = caf::atom_constant<caf::atom("status")>;
using stop_atom = caf::atom_constant<caf::atom("stop")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using renew_atom = caf::atom_constant<caf::atom("renew")>;
using crash_atom = caf::atom_constant<caf::atom("crash")>;
using check_atom = caf::atom_constant<caf::atom("check")>;
using garp_atom = caf::atom_constant<caf::atom("garp")>;
using quiet_atom = caf::atom_constant<caf::atom("quiet")>;

/// Which child of an instance an actor is.
enum class ChildKind { election, advert_io, vip, redis_health, redis_role, member_probe };

/// Current handles of one instance's children. Any handle may be null while
/// that child restarts; senders drop the message then.
struct Wiring {
  caf::actor supervisor;
  caf::actor election;
  caf::actor advert_io;
  caf::actor vip;
  caf::actor redis_health;
  caf::actor redis_role;
  caf::actor member_probe;
};

/// A valid advert for our VRID (already validated by net/vrrp).
struct AdvertIn {
  net::vrrp::PeerAdvert advert;
};

/// A packet that failed validation. `reason` is the codec's stable name
/// (counter key), `detail` a human sentence for the rate-limited log line.
struct AdvertRejected {
  std::string reason;
  std::string detail;
};

/// Send one advert with this priority (0 = leaving Master).
struct AdvertOut {
  std::uint8_t priority;
};

/// Whether the kernel took the advert of one AdvertOut for every destination. A Master
/// that cannot send steps down (StateMachine::advert_send_result); the cause is logged by
/// advert_io, once per cause.
struct AdvertSent {
  bool sent;
};

/// Add (up) or remove (down) the instance's VIPs. `generation` orders
/// commands; the vip actor answers each with VipDone of the same generation.
struct VipCommand {
  std::uint64_t generation;
  bool up;
};

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
  bool healthy = false;  ///< after fall/rise: false = Fault
  bool eligible = true;  ///< false while LOADING (alive but not fit to be master)
  bool config_error = false;  ///< NOAUTH/WRONGPASS: the password is wrong
  std::string last_result;    ///< "PONG", "Failed (connection refused)", ...
  std::string role;           ///< "master" / "slave" / "" when unknown
  std::string master_host;    ///< replica: whom it follows
  std::uint16_t master_port = 0;
  std::string master_link_status;  ///< replica: "up" / "down"
  bool sync_in_progress = false;   ///< replica: a full sync is running
  /// Set in the first report after redkeep found that Redis restarted (a new
  /// run_id): whatever it held in memory is gone unless it loaded it back.
  /// redis_health has already made it a replica of nowhere (-NOMASTERLINK
  /// to anyone who tries to sync from it).
  bool restarted = false;
  /// Replica whose master link is down: whether a fellow replica of the same
  /// history holds a larger offset (nullopt: none could be asked).
  std::optional<bool> behind_peer;
  std::string behind_detail;  ///< which replica, which offsets
  std::int64_t repl_offset = -1;   ///< master_repl_offset
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
  /// Replica, asked while the Master's adverts are overdue: the first VIP (at our Redis port)
  /// still leads to a master Redis of the history this replica follows (issue 14.1).
  /// nullopt: not asked, or nothing answered at the VIP.
  std::optional<bool> vip_serves_master;
  std::string vip_detail;  ///< what answered at the VIP, for the log
};

/// The members of the cluster (their Redis) as redis_health knows them: learned from INFO
/// (our master, its replicas, our own replicas), unicast_peer, and the state file.
struct Members {
  std::vector<net::RedisEndpoint> endpoints;
};

/// One round of member probes (net::MemberProber): how many members were asked and how many
/// replied. `started` is when the round began: a reply proves contact since then.
struct ProbeRound {
  std::chrono::steady_clock::time_point started;
  std::size_t members = 0;
  std::size_t answered = 0;
};

/// Watch `vip` (the first VIP at the Redis port) every few tens of milliseconds, as one member
/// probe (net::MemberProber: a reply or a kernel acknowledgement); nullopt stops watching.
struct VipWatch {
  std::optional<net::RedisEndpoint> vip;
};

/// The watched VIP's node answered (true) or stopped answering (false): sent at each change.
struct VipReached {
  bool reached = false;
};

/// Compare the local Redis's replication history with that of `peer`'s Redis (same port).
struct CompareHistory {
  net::IpAddress peer;
};

/// The comparison's outcome (redis::floor_tie_outcome); `address` when the peer's Redis could
/// not be asked. `detail` names ids, offsets and replicas for the log.
struct HistoryVerdict {
  net::IpAddress peer;
  redis::FloorTie outcome = redis::FloorTie::address;
  std::string detail;
};

/// Make the local Redis master (`master` empty) or a replica of `master`.
/// Later generations supersede earlier ones; `kill_clients` drops normal
/// client connections after demotion (sparing redkeep-*).
struct RoleCommand {
  std::uint64_t generation;
  std::optional<net::IpAddress> master;  ///< nullopt = REPLICAOF NO ONE
  std::uint16_t port = 6379;
  bool kill_clients = false;
};

struct RoleDone {
  std::uint64_t generation;
  bool ok;
  std::string detail;  ///< what was done or why it failed
  /// Redis refuses the command for good (ACL NOPERM, renamed command): no
  /// retry will help until an operator acts.
  bool refused = false;
};

/// The election's resumable state plus its counters, kept by the supervisor
/// so a restarted election resumes where it was.
struct ElectionSnapshot {
  std::size_t group = 0;
  net::vrrp::Snapshot machine;
  std::map<std::string, std::uint64_t> counters;
  redis::Eligibility eligibility{std::chrono::microseconds{0}};  ///< the data rules' state
};

}  // namespace redkeep::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(redkeep::actors::Wiring)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(redkeep::actors::AdvertIn)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(redkeep::actors::AdvertRejected)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(redkeep::actors::AdvertOut)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(redkeep::actors::AdvertSent)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(redkeep::actors::VipCommand)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(redkeep::actors::VipDone)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(redkeep::actors::LinkStatus)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(redkeep::actors::GarpSent)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(redkeep::actors::RedisHealth)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(redkeep::actors::Members)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(redkeep::actors::ProbeRound)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(redkeep::actors::VipWatch)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(redkeep::actors::VipReached)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(redkeep::actors::CompareHistory)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(redkeep::actors::HistoryVerdict)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(redkeep::actors::RoleCommand)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(redkeep::actors::RoleDone)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(redkeep::actors::ElectionSnapshot)
