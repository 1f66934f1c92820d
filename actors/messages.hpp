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
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(redkeep::actors::ElectionSnapshot)
