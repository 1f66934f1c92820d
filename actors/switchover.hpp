#pragma once
// The switchover actor: the Redis side of `redkeep switchover` on its target
// node. Pauses writes on the Master's Redis (CLIENT PAUSE WRITE, with a timeout so a redkeep
// that dies cannot leave them paused), waits until the local Redis holds the Master's offset,
// and lifts the pause once the old Master's Redis is a replica. The election decides; this
// actor only carries out CatchUp and ReleasePause.

#include <caf/all.hpp>

#include "actors/instance_context.hpp"

namespace redkeep::actors {

/// Spawns the switchover actor (on the scheduler; its hiredis calls run on a thread of their own
/// while a switchover runs).
caf::actor spawn_switchover(caf::local_actor* parent, const InstanceContext& ctx);

}  // namespace redkeep::actors
