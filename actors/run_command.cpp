#include "actors/run_command.hpp"

#include <signal.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <iostream>
#include <thread>

#include "actors/advert_io.hpp"
#include "actors/control_server.hpp"
#include "actors/election.hpp"
#include "actors/member_probe.hpp"
#include "actors/redis_health.hpp"
#include "actors/redis_role.hpp"
#include "actors/supervisor.hpp"
#include "actors/switchover.hpp"
#include "actors/vip.hpp"
#include "config/parser.hpp"
#include "net/advert_socket.hpp"
#include "net/netlink.hpp"

namespace redkeep::actors {

namespace {

void setup_logging() {
  auto logger = spdlog::stderr_logger_mt("redkeep");
  logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %l %v");
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(logger);
}

/// Resolves interface index and primary address of every instance.
std::optional<std::vector<InstanceContext>> resolve(const config::Config& cfg) {
  auto nl = net::Netlink::open();
  if (!nl) {
    spdlog::critical("Cannot open netlink: {}", nl.error().message);
    return std::nullopt;
  }
  std::vector<InstanceContext> out;
  for (std::size_t i = 0; i < cfg.instances.size(); ++i) {
    InstanceContext ctx;
    ctx.group = i;
    ctx.instance = cfg.instances[i];
    ctx.state_file = cfg.global.state_file;
    auto idx = nl->interface_index(ctx.instance.interface);
    if (!idx) {
      ctx.log().critical("interface {}: {}", ctx.instance.interface, idx.error().message);
      return std::nullopt;
    }
    ctx.ifindex = static_cast<unsigned>(*idx);
    // An address the node owns (added without a lifetime, by hand or by the system) cannot
    // float: the first step-down would take it from the node.
    if (auto addrs = nl->list_addresses(*idx)) {
      // One peer list shared by every node names this node too: adverts to itself reach
      // nobody (and come back as its own), so it is left out here.
      auto& peers = ctx.instance.unicast_peer;
      for (const auto& a : *addrs) {
        auto self = std::find(peers.begin(), peers.end(), a.prefix.address);
        if (self == peers.end()) continue;
        ctx.log().info("unicast_peer {} is an address of this node on {}: not sent to",
                       self->to_string(), ctx.instance.interface);
        peers.erase(self);
        if (peers.empty()) {
          ctx.log().critical("unicast_peer lists no node but this one");
          return std::nullopt;
        }
      }
      for (const auto& a : *addrs) {
        for (const auto& v : ctx.instance.virtual_ipaddress) {
          if (a.permanent && a.prefix.address == v.address) {
            ctx.log().critical(
                "VIP {} is a permanent address of {} (the node's own): a VIP "
                "must be an address no node owns",
                v.address.to_string(), ctx.instance.interface);
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
      auto addr = net::primary_address(*nl, *idx, vips);
      if (!addr) {
        ctx.log().critical(
            "no IPv4 address on {} to send adverts from, other than the VIPs "
            "({}); a VIP must not be the node's own address",
            ctx.instance.interface, addr.error().message);
        return std::nullopt;
      }
      ctx.primary_address = *addr;
    }
    out.push_back(std::move(ctx));
  }
  return out;
}

std::vector<ChildSpec> child_specs(const std::vector<InstanceContext>& contexts) {
  std::vector<ChildSpec> specs;
  for (const auto& ctx : contexts) {
    auto add = [&](const char* name, ChildKind kind, auto start) {
      specs.push_back(
          ChildSpec{name + ctx.tag(), ctx.group, kind, ctx.instance.redis.has_value(), start});
    };
    // The vip actor first (it clears stale VIPs), the election last (it
    // starts the VRRP Startup event once it has all handles).
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
      add("switchover", ChildKind::switchover,
          [ctx](caf::local_actor* sup, bool, const ElectionSnapshot*) {
            return spawn_switchover(sup, ctx);
          });
    }
    add("election", ChildKind::election,
        [ctx](caf::local_actor* sup, bool, const ElectionSnapshot* snap) {
          return spawn_election(sup, ctx, snap);
        });
  }
  return specs;
}

/// Last line of defence after the actors are gone, whatever stopped them: no
/// VIP may stay behind, and if one did, backups learn at once (priority 0).
void release_leftovers(const std::vector<InstanceContext>& contexts) {
  auto nl = net::Netlink::open();
  if (!nl) return;
  for (const auto& ctx : contexts) {
    auto addrs = nl->list_addresses(static_cast<int>(ctx.ifindex));
    if (!addrs) continue;
    bool held = false;
    for (const auto& v : ctx.instance.virtual_ipaddress)
      for (const auto& a : *addrs)
        if (a.prefix.address == v.address) held = true;
    if (!held) continue;
    for (const auto& v : ctx.instance.virtual_ipaddress)
      (void)nl->remove_address(static_cast<int>(ctx.ifindex), v);
    ctx.log().warn("VIP removed at exit");
    net::AdvertSocketOptions opts{static_cast<int>(ctx.ifindex), ctx.primary_address, false};
    auto sock = net::AdvertSocket::open(opts);
    if (!sock) continue;
    auto err = send_advert(*sock, ctx, 0);
    if (!err.empty()) {
      ctx.log().error("Priority 0 advert at exit failed: {}", err);
      continue;
    }
    ctx.log().warn("Sent priority 0 advert at exit");
  }
}

}  // namespace

int run_daemon(const std::string& config_path) {
  auto loaded = config::load_file(config_path);
  for (const auto& d : loaded.diagnostics) std::cerr << d.to_string() << "\n";
  if (!loaded.ok()) return 1;
  setup_logging();
  // Before any actor touches a VIP: a second daemon on the same config would
  // fight the first one over VIP and Redis.
  if (auto busy = control_socket_in_use(loaded.config->global.control_socket)) {
    spdlog::critical("{}", *busy);
    return 1;
  }
  auto contexts = resolve(*loaded.config);
  if (!contexts) return 1;

  // Signals are taken by sigwait on our own thread, never by a handler that
  // would run on some CAF worker.
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGTERM, SIGINT, SIGHUP, SIGUSR1}) sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  int exit_code = 0;
  {
    caf::actor_system_config cfg;
    cfg.set("logger.verbosity", caf::atom("quiet"));
    caf::actor_system sys{cfg};
    auto sup = spawn_supervisor(sys, child_specs(*contexts), RestartPolicy{});
    for (const auto& ctx : *contexts)
      ctx.log().info("Started on {} (primary address {}, VRID {}, priority {}, VRRPv{})",
                     ctx.instance.interface, ctx.primary_address.to_string(),
                     ctx.instance.virtual_router_id, ctx.instance.priority,
                     static_cast<int>(ctx.instance.version));
    std::unique_ptr<ControlServer> control;
    try {
      control = std::make_unique<ControlServer>(sys, sup, loaded.config->global.control_socket);
    } catch (const std::exception& e) {
      spdlog::critical("{}", e.what());
      caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
      sys.await_all_actors_done();
      release_leftovers(*contexts);
      return 1;
    }

    std::atomic<bool> done{false};
    std::thread signal_thread([&] {
      int stops = 0;
      timespec poll_interval{0, 200'000'000};
      while (!done) {
        int sig = sigtimedwait(&signals, nullptr, &poll_interval);
        if (sig == SIGTERM || sig == SIGINT) {
          if (stops++ == 0) {
            spdlog::info("Received {}; stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
            caf::anon_send(sup, stop_atom::value);
          } else {
            // Not exit_reason::kill: that skips the supervisor's exit handler,
            // and children left running would keep the process alive.
            spdlog::warn("Received a second stop signal; stopping at once");
            caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
          }
        } else if (sig == SIGHUP) {
          spdlog::warn("SIGHUP: configuration reload is not supported yet; restart redkeep");
        } else if (sig == SIGUSR1) {
          try {
            auto status = query_status(loaded.config->global.control_socket);
            while (!status.empty() && status.back() == '\n') status.pop_back();
            spdlog::info("Status: {}", status);
          } catch (const std::exception& e) {
            spdlog::warn("Status dump failed: {}", e.what());
          }
        }
      }
    });

    {
      caf::scoped_actor self{sys};
      self->monitor(sup);
      self->receive([&](caf::down_msg& down) {
        if (down.reason && down.reason != caf::exit_reason::user_shutdown) exit_code = 1;
      });
    }
    done = true;
    signal_thread.join();
    control.reset();
    sys.await_all_actors_done();
  }
  release_leftovers(*contexts);
  spdlog::info("redkeep stopped (exit status {})", exit_code);
  return exit_code;
}

}  // namespace redkeep::actors
