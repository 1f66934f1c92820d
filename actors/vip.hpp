#pragma once
// The vip actor: adds and removes the instance's VIPs over netlink (libmnl),
// with a kernel lifetime renewed by every advert sent, sends gratuitous ARPs,
// and watches the interface's carrier (DESIGN.md section 4).

#include <caf/all.hpp>
#include <cstdint>

#include "actors/instance_context.hpp"

namespace redkeep::actors {

/// Spawns the vip actor (on the scheduler: its netlink and ARP calls do not block). On the
/// daemon's first start (`restart` false) it removes VIPs an earlier run left
/// behind; on a restart it leaves them to the election's next command.
caf::actor spawn_vip(caf::local_actor* parent, const InstanceContext& ctx, bool restart);

}  // namespace redkeep::actors
