#pragma once
// Every message the redkeep actors exchange and each actor's interface, in one place (DESIGN.md
// section 4); the election's events and commands are defined in core/events.hpp and
// core/commands.hpp and named below. Who sends what to whom:
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
//   control      -> supervisor    status_atom -> JSON text; stop_atom;
//                                  cold_start_atom(instance) -> JSON text of those overridden
//   supervisor   -> election      ColdStartOverride -> bool (a cold start held it)
//   control      -> supervisor    switchover_atom(instance, timeout ms) -> JSON text
//   supervisor   -> election      switchover_atom(timeout ms) -> JSON text (when done or refused)
//   run_command  -> supervisor    reload_atom, Reload -> "" once carried out
//   supervisor   -> election      reload_atom -> ElectionSnapshot (its state now, to resume from)
//   election     -> switchover    CatchUp, ReleasePause
//   switchover   -> election      CaughtUp
//   supervisor   -> election      status_atom(restarts) -> JSON text; stop_atom -> bool
//   track_scripts -> election     ScriptRun (one run of a tracked script ended)
//   redis_diagnosis -> election   ReplicationDiagnosis (why replication is stuck, at each change)
//   election     -> notify        Notify (a transition's notify scripts, run in order)
//   election     -> notify        stop_atom -> bool (once the notify scripts queued have run)
//   tests        -> any child     crash_atom (test hook: the child throws)
//
// Each actor's interface below (a CAF typed_actor) lists what it accepts, so a message sent to
// the wrong actor does not compile.
//
// Local messages only: the structs are allowed as "unsafe" message types
// instead of carrying inspect() overloads nobody would use.

#include <caf/all.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "core/commands.hpp"
#include "core/events.hpp"
#include "core/instance.hpp"
#include "net/ip_address.hpp"
#include "net/member_probe.hpp"

namespace redkeep::actors {

using restart_atom = caf::atom_constant<caf::atom("restart")>;
using status_atom = caf::atom_constant<caf::atom("status")>;
using stop_atom = caf::atom_constant<caf::atom("stop")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using renew_atom = caf::atom_constant<caf::atom("renew")>;
using crash_atom = caf::atom_constant<caf::atom("crash")>;
using cold_start_atom = caf::atom_constant<caf::atom("coldstart")>;
using check_atom = caf::atom_constant<caf::atom("check")>;
using garp_atom = caf::atom_constant<caf::atom("garp")>;
using quiet_atom = caf::atom_constant<caf::atom("quiet")>;
// Timers and wake-ups an actor sends itself (or its own threads send it).
using snapshot_atom = caf::atom_constant<caf::atom("snapshot")>;
using overdue_atom = caf::atom_constant<caf::atom("overdue")>;
using stop_wait_atom = caf::atom_constant<caf::atom("stopwait")>;
using rules_atom = caf::atom_constant<caf::atom("rules")>;
using retry_atom = caf::atom_constant<caf::atom("retry")>;
using garp_burst_atom = caf::atom_constant<caf::atom("garpburst")>;
using link_atom = caf::atom_constant<caf::atom("link")>;
using switchover_atom = caf::atom_constant<caf::atom("switchover")>;
using deadline_atom = caf::atom_constant<caf::atom("deadline")>;
using reload_atom = caf::atom_constant<caf::atom("reload")>;
/// The election's watchdog tick (systemd WATCHDOG=1, actors/service_manager.hpp).
using watchdog_atom = caf::atom_constant<caf::atom("watchdog")>;
/// A task on an actor's lane (actors/poll_thread.hpp) or its reactor handler (net/reactor.hpp)
/// threw: the actor crashes with its text.
using failed_atom = caf::atom_constant<caf::atom("failed")>;
/// Test hook (REDKEEP_TEST_HOOKS=1): blocks an election for a while, as a hang would.
using hang_atom = caf::atom_constant<caf::atom("hang")>;

/// How long beyond its catch-up timeout a switchover may take to answer, at most: the pause's
/// margin (Master_Down_Interval + 1 s; Master_Down_Interval reaches 12 minutes at advert_int
/// 255) and the takeover. Each waiting party (supervisor, control socket, CLI) uses it; the
/// election answers by its own deadline, or at once when it fails.
inline constexpr std::chrono::minutes kSwitchoverSlack{15};

/// Which child of an instance an actor is.
enum class ChildKind {
  election,
  advert_io,
  vip,
  redis_health,
  redis_role,
  member_probe,
  switchover,
  track_scripts,
  notify,
  redis_diagnosis
};

struct Wiring;
struct Members;
struct ElectionSnapshot;

// The interface of each actor: what it accepts, so the compiler checks who may send what.
// Each accepts Wiring (from the supervisor) and crash_atom (the test hook); the supervisor's
// generic restart machinery keeps plain handles (caf::actor) and casts them here.

/// The election (actors/election.cpp): the core's events, its own timers, status and stop.
using election_actor = caf::typed_actor<
    caf::reacts_to<Wiring>, caf::reacts_to<core::AdvertIn>, caf::reacts_to<core::AdvertRejected>,
    caf::reacts_to<core::AdvertSent>, caf::reacts_to<core::VipDone>,
    caf::reacts_to<core::LinkStatus>, caf::reacts_to<core::GarpSent>,
    caf::reacts_to<core::RedisHealth>, caf::reacts_to<core::ProbeRound>,
    caf::reacts_to<core::VipReached>, caf::reacts_to<core::HistoryVerdict>,
    caf::reacts_to<core::RoleDone>, caf::reacts_to<core::CaughtUp>,
    caf::reacts_to<core::ScriptRun>, caf::reacts_to<core::ReplicationDiagnosis>,
    caf::reacts_to<deadline_atom, std::uint64_t>, caf::reacts_to<tick_atom, std::uint64_t>,
    caf::reacts_to<overdue_atom>, caf::reacts_to<rules_atom>, caf::reacts_to<stop_wait_atom>,
    caf::reacts_to<snapshot_atom>, caf::replies_to<core::ColdStartOverride>::with<bool>,
    caf::replies_to<status_atom, std::map<std::string, std::uint64_t>>::with<std::string>,
    caf::replies_to<switchover_atom, std::uint64_t>::with<std::string>,
    caf::replies_to<reload_atom>::with<ElectionSnapshot>,
    caf::replies_to<stop_atom>::with<bool>, caf::reacts_to<crash_atom>,
    caf::reacts_to<watchdog_atom>, caf::reacts_to<hang_atom, std::uint64_t>>;

/// advert_io (actors/advert_io.cpp): adverts to send; what the reactor received for it.
using advert_io_actor =
    caf::typed_actor<caf::reacts_to<Wiring>, caf::reacts_to<core::AdvertOut>,
                     caf::reacts_to<core::AdvertIn>, caf::reacts_to<core::AdvertRejected>,
                     caf::reacts_to<failed_atom, std::string>, caf::reacts_to<crash_atom>>;

/// vip (actors/vip.cpp): VIP commands, renewals, ARP bursts; its retry and burst timers and
/// its link monitor's events.
using vip_actor =
    caf::typed_actor<caf::reacts_to<Wiring>, caf::reacts_to<core::VipCommand>,
                     caf::reacts_to<retry_atom, core::VipCommand>, caf::reacts_to<quiet_atom, bool>,
                     caf::reacts_to<garp_atom>, caf::reacts_to<renew_atom>,
                     caf::reacts_to<garp_burst_atom, std::uint64_t, bool>,
                     caf::reacts_to<link_atom, bool>, caf::reacts_to<failed_atom, std::string>,
                     caf::reacts_to<crash_atom>>;

/// redis_role (actors/redis_role.cpp): role commands and its retry timer; its lane's failure.
using redis_role_actor =
    caf::typed_actor<caf::reacts_to<Wiring>, caf::reacts_to<core::RoleCommand>,
                     caf::reacts_to<retry_atom, std::uint64_t>,
                     caf::reacts_to<failed_atom, std::string>, caf::reacts_to<crash_atom>>;

/// redis_health (actors/redis_health.cpp): the Master overdue or heard, history comparisons;
/// what its check thread found (reports, members, verdicts).
using redis_health_actor =
    caf::typed_actor<caf::reacts_to<Wiring>, caf::reacts_to<check_atom, bool>,
                     caf::reacts_to<core::CompareHistory>, caf::reacts_to<core::RedisHealth>,
                     caf::reacts_to<Members>, caf::reacts_to<core::HistoryVerdict>,
                     caf::reacts_to<crash_atom>>;

/// member_probe (actors/member_probe.cpp): members to probe, probe now, the VIP to watch; what
/// its probe threads found.
using member_probe_actor =
    caf::typed_actor<caf::reacts_to<Wiring>, caf::reacts_to<Members>, caf::reacts_to<check_atom>,
                     caf::reacts_to<core::VipWatch>,
                     caf::reacts_to<core::VipReached, std::uint64_t>,
                     caf::reacts_to<core::ProbeRound>, caf::reacts_to<crash_atom>>;

/// switchover (actors/switchover.cpp): the Redis side of a switchover to this node; its lane's
/// failure.
using switchover_actor =
    caf::typed_actor<caf::reacts_to<Wiring>, caf::reacts_to<core::CatchUp>,
                     caf::reacts_to<core::ReleasePause>, caf::reacts_to<tick_atom, std::uint64_t>,
                     caf::reacts_to<failed_atom, std::string>, caf::reacts_to<crash_atom>>;

/// track_scripts (actors/track_scripts.cpp): its timers (tick_atom, script index) and what its
/// script threads report.
using track_scripts_actor =
    caf::typed_actor<caf::reacts_to<Wiring>, caf::reacts_to<tick_atom, std::uint64_t>,
                     caf::reacts_to<core::ScriptRun>, caf::reacts_to<crash_atom>>;

/// notify (actors/notify.cpp): transitions to notify, its thread's end of a transition
/// (tick_atom, generation), stop (answered once the queue is empty, or at its drain limit:
/// deadline_atom).
/// redis_diagnosis (actors/redis_diagnosis.cpp): the preflight at start, then why replication
/// is stuck; its thread's findings go to the election (status).
using redis_diagnosis_actor =
    caf::typed_actor<caf::reacts_to<Wiring>, caf::reacts_to<core::ReplicationDiagnosis>,
                     caf::reacts_to<crash_atom>>;

using notify_actor =
    caf::typed_actor<caf::reacts_to<Wiring>, caf::reacts_to<core::Notify>,
                     caf::reacts_to<tick_atom, std::uint64_t>,
                     caf::replies_to<stop_atom>::with<bool>,
                     caf::reacts_to<deadline_atom>,
                     caf::reacts_to<crash_atom>>;

/// Current handles of one instance's children. Any handle may be null while
/// that child restarts; senders drop the message then.
struct Wiring {
  caf::actor supervisor;
  election_actor election;
  advert_io_actor advert_io;
  vip_actor vip;
  redis_health_actor redis_health;
  redis_role_actor redis_role;
  member_probe_actor member_probe;
  switchover_actor switchover;
  track_scripts_actor track_scripts;
  notify_actor notify;
};

// The election's events and commands are the core's own types (core/events.hpp,
// core/commands.hpp); these are the ones that travel as messages.
using core::AdvertIn;
using core::AdvertOut;
using core::AdvertRejected;
using core::AdvertSent;
using core::CompareHistory;
using core::GarpSent;
using core::HistoryVerdict;
using core::LinkStatus;
using core::ProbeRound;
using core::RedisHealth;
using core::RoleCommand;
using core::RoleDone;
using core::VipCommand;
using core::VipDone;
using core::VipReached;
using core::VipWatch;

/// The members of the cluster (their Redis) as redis_health knows them: learned from INFO
/// (our master, its replicas, our own replicas), unicast_peer, and the state file.
struct Members {
  std::vector<net::RedisEndpoint> endpoints;
};

/// The election's resumable state plus its counters, kept by the supervisor
/// so a restarted election resumes where it was.
struct ElectionSnapshot {
  std::size_t group = 0;
  core::Snapshot state;
  caf::actor_addr source;  ///< the election that took it
};

}  // namespace redkeep::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(redkeep::actors::Wiring)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(redkeep::core::AdvertIn)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(redkeep::core::AdvertRejected)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(redkeep::core::AdvertOut)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(redkeep::core::AdvertSent)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(redkeep::core::VipCommand)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(redkeep::core::VipDone)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(redkeep::core::LinkStatus)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(redkeep::core::GarpSent)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(redkeep::core::RedisHealth)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(redkeep::actors::Members)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(redkeep::core::ProbeRound)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(redkeep::core::VipWatch)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(redkeep::core::VipReached)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(redkeep::core::CompareHistory)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(redkeep::core::HistoryVerdict)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(redkeep::core::RoleCommand)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(redkeep::core::RoleDone)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(redkeep::core::ColdStartOverride)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(redkeep::actors::ElectionSnapshot)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(redkeep::core::CatchUp)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(redkeep::core::CaughtUp)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(redkeep::core::ReleasePause)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(redkeep::core::ScriptRun)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(redkeep::core::ReplicationDiagnosis)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(redkeep::core::Notify)
