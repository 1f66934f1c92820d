#pragma once
// The redis_role actor: applies the election's RoleCommands to the local Redis
// (REPLICAOF NO ONE, or REPLICAOF <master's primary address> <port>), verifies
// each with ROLE and retries until it holds. Commands are handled one at a
// time and a newer generation supersedes an older one, so a late result never
// overrides a newer role (keepalived's notify scripts race; this does not).

#include <caf/all.hpp>

#include "actors/instance_context.hpp"

namespace redkeep::actors {

/// Spawns the redis_role actor (on the scheduler; its hiredis calls run on a thread of their own
/// while there is a role to apply).
caf::actor spawn_redis_role(caf::local_actor* parent, const InstanceContext& ctx);

}  // namespace redkeep::actors
