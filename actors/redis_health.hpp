#pragma once
// The redis_health actor: checks the local Redis at a fixed rate (PING, then
// INFO replication/server/persistence) with timeouts, reopens a closed
// connection at once, and reports every result to the election (DESIGN.md
// section 5). The checks run on the actor's own poll thread.

#include <caf/all.hpp>
#include <optional>
#include <string>

#include "actors/instance_context.hpp"

namespace redkeep::actors {

/// Spawns the redis_health actor (on the scheduler; the checks block on a thread of their own).
caf::actor spawn_redis_health(caf::local_actor* parent, const InstanceContext& ctx);

}  // namespace redkeep::actors
