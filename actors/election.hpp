#pragma once
// The election actor: a thin shell around core::Instance. It turns messages and timer ticks
// into the core's events and carries out the commands that come back (messages, timers, log
// lines). The core decides the node's role (DESIGN.md sections 3 and 4).

#include <caf/all.hpp>

#include "actors/instance_context.hpp"
#include "actors/messages.hpp"

namespace redkeep::actors {

/// Spawns the election of one instance (on CAF's shared scheduler: it does no
/// I/O). With `snapshot` it resumes where the previous incarnation was, without
/// a transition; otherwise it starts the VRRP Startup event.
caf::actor spawn_election(caf::local_actor* parent, const InstanceContext& ctx,
                          const ElectionSnapshot* snapshot);

}  // namespace redkeep::actors
