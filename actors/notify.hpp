#pragma once
// The notify actor: runs an instance's notify scripts (notify_master, notify_backup,
// notify_fault, notify_stop, then `notify` with INSTANCE NAME STATE PRIORITY appended) for
// each transition the election reports, one transition after the other: a transition's
// scripts have ended, or were killed at kNotifyTimeout, before the next transition's start.
// So a quick MASTER -> BACKUP -> MASTER runs them in that order (keepalived starts each
// script at once and they may finish out of order). The scripts run on a helper thread: the
// election never waits for them, so a hanging script delays no failover.

#include <caf/all.hpp>
#include <chrono>

#include "actors/instance_context.hpp"

namespace redkeep::actors {

/// How long one notify script may run before it is killed with its process group.
inline constexpr std::chrono::seconds kNotifyTimeout{10};
/// The same for the scripts of STOP (notify_stop, notify ... STOP): the daemon, or a reload,
/// waits for them (keepalived gives notify_stop 1 s). The transitions still queued when the
/// instance stops are dropped, and the scripts still running killed.
inline constexpr std::chrono::seconds kNotifyStopTimeout{3};
/// How long a stop waits for the notify scripts of STOP (notify_stop and notify, with a
/// margin) before the rest is dropped.
inline constexpr std::chrono::seconds kNotifyDrainLimit =
    2 * kNotifyStopTimeout + std::chrono::seconds(2);

/// Spawns the notify actor of `ctx` (which has at least one notify script).
caf::actor spawn_notify(caf::local_actor* parent, const InstanceContext& ctx);

}  // namespace redkeep::actors
