#include "actors/run_command.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <iostream>
#include <mutex>
#include <set>
#include <thread>

#include "actors/advert_io.hpp"
#include "actors/control_server.hpp"
#include "actors/instances.hpp"
#include "actors/metrics_server.hpp"
#include "actors/poll_thread.hpp"
#include "actors/reloader.hpp"
#include "actors/service_manager.hpp"
#include "actors/supervisor.hpp"
#include "config/parser.hpp"
#include "core/signal_policy.hpp"
#include "net/advert_socket.hpp"
#include "net/event_fds.hpp"
#include "net/netlink.hpp"
#include "net/reactor.hpp"

namespace redkeep::actors {

namespace {

/// The node's name in the logs: global_defs router_id, else the host name (keepalived's
/// default), else "redkeep".
std::string node_name(const config::GlobalDefs& global) {
  if (global.router_id && !global.router_id->empty()) return *global.router_id;
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0 && host[0] != '\0') return host;
  return "redkeep";
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
    ctx.log().warn(core::LogKind::vip_removed, "VIP removed at exit");
    net::AdvertSocketOptions opts{static_cast<int>(ctx.ifindex), ctx.primary_address, false};
    auto sock = net::AdvertSocket::open(opts);
    if (!sock) continue;
    auto err = send_advert(*sock, ctx, 0);
    if (!err.empty()) {
      ctx.log().error(core::LogKind::exit_advert, "Priority 0 advert at exit failed: {}", err);
      continue;
    }
    ctx.log().warn(core::LogKind::exit_advert, "Sent priority 0 advert at exit");
  }
}

}  // namespace

int run_daemon(const std::string& config_path, LogFormat log_format) {
  auto& service = ServiceManager::get();  // reads its environment before any thread starts
  auto loaded = config::load_file(config_path);
  setup_logging(log_format,
                node_name(loaded.config ? loaded.config->global : config::GlobalDefs{}));
  if (!service.problem().empty())
    daemon_log().warn(core::LogKind::service_manager, "{}", service.problem());
  for (const auto& d : loaded.diagnostics) {
    // JSON logs stay JSON for a log shipper; text keeps check's "FILE:LINE:COLUMN: ..." lines.
    if (log_format == LogFormat::json)
      daemon_log().log(d.is_error() ? spdlog::level::err : spdlog::level::warn,
                       d.is_error() ? core::LogKind::config_error : core::LogKind::config_warning,
                       "{}", d.to_string());
    else
      std::cerr << d.to_string() << "\n";
  }
  if (!loaded.ok()) return 1;
  // Before any actor touches a VIP: a second daemon on the same config would
  // fight the first one over VIP and Redis.
  if (auto busy = control_socket_in_use(loaded.config->global.control_socket)) {
    daemon_log().critical(core::LogKind::control_socket, "{}", *busy);
    return 1;
  }
  auto started = resolve(*loaded.config);
  if (!started) return 1;

  // Signals are read from a signalfd on the main thread's reactor, never by a handler that
  // would run on some CAF worker.
  // A peer that closes a socket we write to (a /metrics client, a Redis) must cost an EPIPE,
  // not the daemon: SIGPIPE's default action kills it with the VIP still held. Before any
  // thread starts; scripts get the default back (exec/child_process.cpp).
  signal(SIGPIPE, SIG_IGN);
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGTERM, SIGINT, SIGHUP, SIGUSR1}) sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  auto signal_fd = net::SignalFd::open(signals);
  if (!signal_fd) {
    daemon_log().critical(core::LogKind::signal, "Cannot take signals: {}",
                          signal_fd.error().message);
    return 1;
  }
  auto& reactor = net::Reactor::get();
  reactor.claim_thread();  // before any actor watches a socket

  int exit_code = 0;
  auto running = *started;  // the instances at exit (a reload may have changed them)
  {
    std::set<std::string> names;
    for (const auto& ctx : running) names.insert(ctx.instance.name);
    service.set_instances(names);
  }
  {
    caf::actor_system_config cfg;
    cfg.set("logger.verbosity", caf::atom("quiet"));
    // Two workers whatever the core count (CAF's default is one per core, at least four):
    // blocking work runs on threads of its own, and the elections need little CPU. Sharing
    // rather than stealing: idle work-stealing workers wake every 10 ms to look for work.
    cfg.set("scheduler.max-threads", 2);
    cfg.set("scheduler.policy", caf::atom("sharing"));
    caf::actor_system sys{cfg};
    std::vector<ChildSpec> specs;
    for (const auto& ctx : *started)
      for (auto& s : instance_specs(ctx)) specs.push_back(std::move(s));
    auto sup = spawn_supervisor(sys, std::move(specs), RestartPolicy{});
    for (const auto& ctx : *started)
      ctx.log().info(core::LogKind::started,
                     "Started on {} (primary address {}, VRID {}, priority {}, VRRPv{})",
                     field("interface", ctx.instance.interface),
                     field("address", ctx.primary_address.to_string()),
                     field("vrid", ctx.instance.virtual_router_id),
                     field("priority", ctx.instance.priority),
                     field("version", static_cast<int>(ctx.instance.version)));
    Reloader reloader(sys, sup, config_path, *loaded.config, *started);
    std::function<void()> after_reload = [] {};
    auto reload = [&reloader, &after_reload] {
      auto result = reloader.reload();
      after_reload();
      return result;
    };
    std::string control_path = loaded.config->global.control_socket;
    std::unique_ptr<ControlServer> control;
    try {
      control = std::make_unique<ControlServer>(sys, sup, control_path, reload);
    } catch (const std::exception& e) {
      daemon_log().critical(core::LogKind::control_socket, "{}", e.what());
      caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
      sys.await_all_actors_done();
      join_released_threads();
      release_leftovers(running);
      return 1;
    }
    // /metrics when metrics_listen is set. A daemon that cannot listen there still runs:
    // failover matters more than its metrics.
    std::unique_ptr<MetricsServer> metrics;
    std::optional<config::ListenAddress> metrics_at;  // where it serves now
    auto listen_metrics = [&](const config::ListenAddress& where) {
      try {
        metrics = std::make_unique<MetricsServer>(sys, sup, where);
        metrics_at = where;
        daemon_log().info(core::LogKind::metrics, "Serving /metrics on {}",
                          field("address", where.to_string()));
        return std::string();
      } catch (const std::exception& e) {
        return std::string(e.what());
      }
    };
    // The new endpoint first, so a failure keeps the old one; if the old one holds the port
    // the new one needs, it goes first and comes back when the new one still fails.
    auto serve_metrics = [&](const std::optional<config::ListenAddress>& wanted) {
      if (!wanted) {
        if (metrics) daemon_log().info(core::LogKind::metrics, "/metrics stopped");
        metrics.reset();
        metrics_at.reset();
        return;
      }
      auto old = std::move(metrics);
      auto error = listen_metrics(*wanted);
      if (error.empty()) return;
      if (old) {
        const auto old_at = *metrics_at;
        old.reset();
        error = listen_metrics(*wanted);
        if (error.empty()) return;
        if (listen_metrics(old_at).empty()) {
          daemon_log().error(core::LogKind::metrics, "{}; /metrics stays on {}", error,
                             old_at.to_string());
          return;
        }
      }
      metrics_at.reset();
      daemon_log().error(core::LogKind::metrics,
                         "{}; running on without /metrics (a reload tries again)", error);
    };
    serve_metrics(loaded.config->global.metrics_listen);
    // After each reload: serve where the configuration says, or try again where it failed.
    std::uint64_t reloads_seen = 0;
    auto move_metrics = [&] {
      if (reloader.reloads() == reloads_seen) return;
      reloads_seen = reloader.reloads();
      const auto wanted = reloader.metrics_listen();
      if (wanted == metrics_at) return;
      serve_metrics(wanted);
    };
    // A reload moved control_socket: the new one first, then the old one goes (on the mover's
    // thread: the old one's destructor waits for the requests it is answering).
    std::mutex control_path_mutex;  // control_path: the mover writes, SIGUSR1 dumps read
    std::string control_wanted = control_path;  // the last path tried
    auto move_control_socket = [&] {
      const auto wanted = reloader.control_socket();
      if (wanted == control_wanted) return;
      control_wanted = wanted;
      try {
        auto moved = std::make_unique<ControlServer>(sys, sup, wanted, reload);
        control = std::move(moved);
        std::lock_guard<std::mutex> lock(control_path_mutex);
        daemon_log().info(core::LogKind::control_socket, "Control socket moved from {} to {}",
                          control_path, wanted);
        control_path = wanted;
      } catch (const std::exception& e) {
        daemon_log().error(core::LogKind::control_socket, "Control socket stays at {}: {}",
                           control_path, e.what());
      }
    };
    // The main thread runs the node's reactor: signals (signalfd), the adverts and the link
    // notifications of every instance, the control socket's accepts. Nothing there may block,
    // so reloads, status dumps and the servers' moves after a reload run on threads of their
    // own: a reload may wait seconds for an instance's stop protocol, a dump for every actor,
    // a server's end for the requests it answers.
    RerunThread mover("rk-reload-move", [&] {
      move_control_socket();
      move_metrics();
    });
    after_reload = [&mover] {
      try {
        (void)mover.request();
      } catch (const std::exception& e) {
        daemon_log().error(core::LogKind::control_socket,
                           "Cannot apply control_socket and metrics_listen: {}", e.what());
      }
    };
    RerunThread reloads("rk-reload", [&] { (void)reload(); });  // logs what it did or why not
    RerunThread dumps("rk-status-dump", [&] {
      std::string path;
      {
        std::lock_guard<std::mutex> lock(control_path_mutex);
        path = control_path;
      }
      try {
        auto status = query_status(path);
        while (!status.empty() && status.back() == '\n') status.pop_back();
        daemon_log().info(core::LogKind::status_dump, "Status: {}", status);
      } catch (const std::exception& e) {
        daemon_log().warn(core::LogKind::status_dump, "Status dump failed: {}", e.what());
      }
    });
    core::SignalPolicy signal_policy;
    auto take_signal = [&](int sig) {
      switch (signal_policy.take(sig)) {
        case core::SignalAction::stop:
          service.stopping();
          daemon_log().info(core::LogKind::signal, "Received {}; stopping",
                            sig == SIGTERM ? "SIGTERM" : "SIGINT");
          caf::anon_send(sup, stop_atom::value);
          break;
        case core::SignalAction::stop_at_once:
          // Not exit_reason::kill: that skips the supervisor's exit handler,
          // and children left running would keep the process alive.
          daemon_log().warn(core::LogKind::signal,
                            "Received a second stop signal; stopping at once");
          caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
          break;
        case core::SignalAction::reload:
          if (!reloads.request())
            daemon_log().info(core::LogKind::signal,
                              "SIGHUP during a reload: reloading again once it is done");
          break;
        case core::SignalAction::reload_ignored:
          daemon_log().warn(core::LogKind::signal, "SIGHUP ignored: stopping");
          break;
        case core::SignalAction::status_dump:
          (void)dumps.request();
          break;
        case core::SignalAction::none:
          break;
      }
    };

    // The supervisor's end (a stop, or restarts exhausted) ends the loop.
    std::atomic<int> sup_exit{0};
    caf::actor_cast<caf::abstract_actor*>(sup)->attach_functor([&](const caf::error& reason) {
      if (reason && reason != caf::exit_reason::user_shutdown) sup_exit = 1;
      reactor.stop();
    });
    try {
      auto signal_watch = reactor.watch(signal_fd->fd(), [&] {
        while (auto sig = signal_fd->take()) {
          try {
            take_signal(*sig);
          } catch (const std::exception& e) {  // no thread for a reload or a dump
            daemon_log().error(core::LogKind::signal, "Signal {} not handled: {}", *sig,
                               e.what());
          }
        }
      });
      reactor.run([](const std::string& error) {
        daemon_log().error(core::LogKind::actor_crash,
                           "{} crashed: {} (that socket is not read any more)",
                           field("actor", "reactor"), field("error", error));
      });
    } catch (const std::exception& e) {
      // The signals cannot be read any more: stop rather than run on unstoppable.
      daemon_log().critical(core::LogKind::signal, "Stopping: {}", e.what());
      sup_exit = 1;
      caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
    }
    exit_code = sup_exit;
    service.stopping();
    // The mover replaces `control` and `metrics`: closed before they go. A reload still running
    // on the control socket may ask it for another run, which it no longer makes.
    reloads.close();
    mover.close();
    dumps.close();
    control.reset();
    metrics.reset();
    running = reloader.contexts();
    sys.await_all_actors_done();
    join_released_threads();
  }
  release_leftovers(running);
  daemon_log().info(core::LogKind::exited, "redkeep stopped (exit status {})",
                    field("status", exit_code));
  return exit_code;
}

}  // namespace redkeep::actors
