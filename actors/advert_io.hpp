#pragma once
// The advert_io actor: owns the raw IPPROTO_VRRP socket of one instance. The node's
// reactor (net/reactor.hpp) receives, decodes and validates packets (net/vrrp) and hands
// valid adverts and rejections to the election; AdvertOut messages become
// adverts on the wire (multicast 224.0.0.18 or each unicast_peer).

#include <caf/all.hpp>
#include <cstdint>
#include <string>

#include "actors/instance_context.hpp"
#include "net/advert_socket.hpp"

namespace redkeep::actors {

/// Encodes one advert of this instance with `priority` and sends it to
/// 224.0.0.18, or to each unicast_peer. Returns the first error text, empty
/// when every send succeeded.
std::string send_advert(net::AdvertSocket& socket, const InstanceContext& ctx,
                        std::uint8_t priority);

/// Spawns the advert_io actor (on the scheduler: nothing it does blocks).
caf::actor spawn_advert_io(caf::local_actor* parent, const InstanceContext& ctx);

}  // namespace redkeep::actors
