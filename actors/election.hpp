#pragma once
// The election actor: a thin shell around net::vrrp::StateMachine. It turns
// messages and timer ticks into events and the machine's actions into
// messages, and is the only owner of the node's role (DESIGN.md section 4).

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
