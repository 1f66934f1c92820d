#pragma once
// What the daemon runs for each vrrp_instance: the instance resolved against the kernel
// (interface index, primary address) and the specs of its children, at start and at a reload.

#include <optional>
#include <string>
#include <vector>

#include "actors/instance_context.hpp"
#include "actors/supervisor.hpp"
#include "config/model.hpp"
#include "net/netlink.hpp"

namespace redkeep::actors {

/// `instance` as the daemon runs it, in supervisor group `group`: its interface's index, its
/// primary address (unicast_src_ip, else the interface's first IPv4 address that is not a VIP),
/// unicast_peer without this node's own addresses. Errors (a sentence naming the interface or
/// address): no such interface, a VIP that is a permanent address of the node, no address to
/// send adverts from, a unicast_peer list of this node alone.
std::optional<InstanceContext> resolve_instance(net::Netlink& netlink,
                                                const config::VrrpInstance& instance,
                                                std::size_t group, const std::string& state_file,
                                                std::string& error);

/// Every instance of `cfg` resolved, groups 0..n-1; nullopt after logging the first error.
std::optional<std::vector<InstanceContext>> resolve(const config::Config& cfg);

/// The children of one instance, in start order: vip first (it clears stale VIPs), the
/// election last (it starts the VRRP Startup event once it has all handles).
std::vector<ChildSpec> instance_specs(const InstanceContext& ctx);

}  // namespace redkeep::actors
