#pragma once
// The redis_diagnosis actor: at start, once the local Redis answers, the preflight of `redkeep
// check --online` (redis/preflight.hpp) on the local Redis and the members known then; each
// finding is logged once. Then, every check_interval (at least 1 s), why replication is stuck
// (redis/link_diagnosis.hpp): a replica whose master link stays down has its master probed
// (connect, masterauth/masteruser, sync_full), a master answering NOREPLICAS is said; one
// line when a cause appears and one when it is gone, the causes in status. Runs on its own
// thread: the probes block up to their timeouts and must not delay a check or a failover.

#include <caf/all.hpp>

#include "actors/instance_context.hpp"

namespace redkeep::actors {

/// Spawns the redis_diagnosis actor of `ctx` (which has a redis block).
caf::actor spawn_redis_diagnosis(caf::local_actor* parent, const InstanceContext& ctx);

}  // namespace redkeep::actors
