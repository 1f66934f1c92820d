#pragma once
// The member_probe actor: every Advertisement_Interval it asks the Redis of each member of the
// cluster for any reply (net::MemberProber, timeout half an interval, at most 250 ms) and
// reports the round to the election, which decides whether this node is cut off from the
// cluster. Rounds run on a poll thread of their own (and the VIP's watch on
// another, while a takeover is held).

#include <caf/all.hpp>

#include "actors/instance_context.hpp"

namespace redkeep::actors {

/// Spawns the member_probe actor (on the scheduler; its rounds block on threads of their own).
caf::actor spawn_member_probe(caf::local_actor* parent, const InstanceContext& ctx);

}  // namespace redkeep::actors
