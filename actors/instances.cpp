#include "actors/instances.hpp"

#include <algorithm>

#include "actors/advert_io.hpp"
#include "actors/election.hpp"
#include "actors/log.hpp"
#include "actors/member_probe.hpp"
#include "actors/notify.hpp"
#include "actors/redis_diagnosis.hpp"
#include "actors/redis_health.hpp"
#include "actors/redis_role.hpp"
#include "actors/switchover.hpp"
#include "actors/track_scripts.hpp"
#include "actors/vip.hpp"
#include "net/advert_socket.hpp"

namespace redkeep::actors {

std::optional<InstanceContext> resolve_instance(net::Netlink& nl,
                                                const config::VrrpInstance& instance,
                                                std::size_t group, const std::string& state_file,
                                                std::string& error) {
  InstanceContext ctx;
  ctx.group = group;
  ctx.instance = instance;
  ctx.state_file = state_file;
  auto idx = nl.interface_index(ctx.instance.interface);
  if (!idx) {
    error = "interface " + ctx.instance.interface + ": " + idx.error().message;
    return std::nullopt;
  }
  ctx.ifindex = static_cast<unsigned>(*idx);
  // An address the node owns (added without a lifetime, by hand or by the system) cannot
  // float: the first step-down would take it from the node.
  if (auto addrs = nl.list_addresses(*idx)) {
    // One peer list shared by every node names this node too: adverts to itself reach
    // nobody (and come back as its own), so it is left out here.
    auto& peers = ctx.instance.unicast_peer;
    for (const auto& a : *addrs) {
      auto self = std::find(peers.begin(), peers.end(), a.prefix.address);
      if (self == peers.end()) continue;
      ctx.log().info(core::LogKind::config_warning, "unicast_peer {} is an address of this node on {}: not sent to",
                     self->to_string(), ctx.instance.interface);
      peers.erase(self);
      if (peers.empty()) {
        error = "unicast_peer lists no node but this one";
        return std::nullopt;
      }
    }
    for (const auto& a : *addrs) {
      for (const auto& v : ctx.instance.virtual_ipaddress) {
        if (a.permanent && a.prefix.address == v.address) {
          error = "VIP " + v.address.to_string() + " is a permanent address of " +
                  ctx.instance.interface +
                  " (the node's own): a VIP must be an address no node owns";
          return std::nullopt;
        }
      }
    }
  }
  if (ctx.instance.unicast_src_ip) {
    ctx.primary_address = *ctx.instance.unicast_src_ip;
  } else {
    std::vector<net::IpAddress> vips;
    for (const auto& v : ctx.instance.virtual_ipaddress) vips.push_back(v.address);
    // IPv6 adverts come from a link-local address (RFC 5798 section 5.1.2.1).
    const auto family = config::family_of(ctx.instance);
    auto addr = net::primary_address(nl, *idx, vips, family);
    if (!addr) {
      error = std::string(family == net::Family::ipv4 ? "no IPv4 address on "
                                                      : "no link-local IPv6 address on ") +
              ctx.instance.interface + " to send adverts from, other than the VIPs (" +
              addr.error().message + "); a VIP must not be the node's own address";
      return std::nullopt;
    }
    ctx.primary_address = *addr;
  }
  return ctx;
}

std::optional<std::vector<InstanceContext>> resolve(const config::Config& cfg) {
  auto nl = net::Netlink::open();
  if (!nl) {
    daemon_log().critical(core::LogKind::netlink, "Cannot open netlink: {}", nl.error().message);
    return std::nullopt;
  }
  std::vector<InstanceContext> out;
  for (std::size_t i = 0; i < cfg.instances.size(); ++i) {
    std::string error;
    auto ctx = resolve_instance(*nl, cfg.instances[i], i, cfg.global.state_file, error);
    if (!ctx) {
      Log(cfg.instances[i].name).critical(core::LogKind::config_error, "{}", error);
      return std::nullopt;
    }
    out.push_back(std::move(*ctx));
  }
  return out;
}

std::vector<ChildSpec> instance_specs(const InstanceContext& ctx) {
  std::vector<ChildSpec> specs;
  auto add = [&](const char* name, ChildKind kind, auto start) {
    specs.push_back(
        ChildSpec{name + ctx.tag(), ctx.group, kind, ctx.instance.redis.has_value(), start});
  };
  add("vip", ChildKind::vip, [ctx](caf::local_actor* sup, bool restart, const ElectionSnapshot*) {
    return spawn_vip(sup, ctx, restart);
  });
  add("advert_io", ChildKind::advert_io,
      [ctx](caf::local_actor* sup, bool, const ElectionSnapshot*) {
        return spawn_advert_io(sup, ctx);
      });
  if (ctx.instance.redis) {
    add("redis_role", ChildKind::redis_role,
        [ctx](caf::local_actor* sup, bool, const ElectionSnapshot*) {
          return spawn_redis_role(sup, ctx);
        });
    add("redis_health", ChildKind::redis_health,
        [ctx](caf::local_actor* sup, bool, const ElectionSnapshot*) {
          return spawn_redis_health(sup, ctx);
        });
    add("member_probe", ChildKind::member_probe,
        [ctx](caf::local_actor* sup, bool, const ElectionSnapshot*) {
          return spawn_member_probe(sup, ctx);
        });
    add("redis_diagnosis", ChildKind::redis_diagnosis,
        [ctx](caf::local_actor* sup, bool, const ElectionSnapshot*) {
          return spawn_redis_diagnosis(sup, ctx);
        });
    add("switchover", ChildKind::switchover,
        [ctx](caf::local_actor* sup, bool, const ElectionSnapshot*) {
          return spawn_switchover(sup, ctx);
        });
  }
  if (!ctx.instance.track_script.empty()) {
    add("track_scripts", ChildKind::track_scripts,
        [ctx](caf::local_actor* sup, bool, const ElectionSnapshot*) {
          return spawn_track_scripts(sup, ctx);
        });
  }
  if (!ctx.instance.notify.empty()) {
    add("notify", ChildKind::notify, [ctx](caf::local_actor* sup, bool, const ElectionSnapshot*) {
      return spawn_notify(sup, ctx);
    });
  }
  add("election", ChildKind::election,
      [ctx](caf::local_actor* sup, bool, const ElectionSnapshot* snap) {
        return spawn_election(sup, ctx, snap);
      });
  return specs;
}

}  // namespace redkeep::actors
