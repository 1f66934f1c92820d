// redkeep command line entry point.
#include <CLI/CLI.hpp>
#include <malloc.h>
#include <iostream>

#include "actors/cold_start_command.hpp"
#include "actors/reload_command.hpp"
#include "actors/run_command.hpp"
#include "actors/status_command.hpp"
#include "actors/switchover_command.hpp"
#include "config/check_command.hpp"
#include "config/migrate_command.hpp"
#include "config/model.hpp"
#include "config/parser.hpp"
#include "inspect/inspect_command.hpp"

namespace {

/// How a client command finds the daemon: --socket, else the control_socket of --config, else
/// the default.
struct DaemonAddress {
  std::string socket;
  std::string config;

  void add_options(CLI::App* command) {
    auto* s = command->add_option(
        "-s,--socket", socket,
        std::string("Control socket (default ") + redkeep::config::kDefaultControlSocket + ")");
    command->add_option("-f,--config", config, "Take control_socket from this config file")
        ->excludes(s);
  }

  /// The socket's path; empty (the errors printed) when --config does not load.
  std::string path() const {
    if (config.empty())
      return socket.empty() ? std::string(redkeep::config::kDefaultControlSocket) : socket;
    auto loaded = redkeep::config::load_file(config);
    if (!loaded.ok()) {
      for (const auto& d : loaded.diagnostics) std::cerr << d.to_string() << "\n";
      return std::string();
    }
    return loaded.config->global.control_socket;
  }
};

}  // namespace

int main(int argc, char** argv) {
  // glibc gives each thread that allocates an arena of its own, up to 8 per core; a daemon
  // that mostly waits needs two (about 250 kB resident less).
  mallopt(M_ARENA_MAX, 2);
  CLI::App app{"redkeep: VRRP failover for Redis master/replica nodes"};
  app.set_version_flag("--version", std::string("redkeep ") + REDKEEP_VERSION);
  app.require_subcommand(1);
  app.footer(
      "`run` is the daemon (one per Redis node); status, cold-start, switchover and reload ask "
      "it through its control socket; check, migrate and inspect read files. `redkeep COMMAND "
      "--help` describes each.\n\n"
      "Files: the configuration (keepalived.conf syntax, examples/redkeep.conf), the control "
      "socket (global_defs control_socket, default /run/redkeep/redkeep.sock) and the state "
      "file (global_defs state_file, default /var/lib/redkeep/state.json).\n"
      "Service: examples/redkeep.service (systemd, Type=notify, an unprivileged user with "
      "CAP_NET_ADMIN and CAP_NET_RAW).");

  std::string check_config;
  CLI::App* check = app.add_subcommand(
      "check", "Validate a configuration file and print the effective configuration");
  check->add_option("-f,--config", check_config, "Configuration file (keepalived.conf syntax)")
      ->required();
  bool check_online = false;
  check->add_flag("--online", check_online,
                  "Also ask the local Redis and the members' Redis: every setting that breaks "
                  "replication or failover (masterauth, ACL, rename-command, bind, ...), with "
                  "the change to make; exit status 1 on an error");
  check->footer(
      "Errors and warnings go to stderr as FILE:LINE:COLUMN: error|warning: ...; the "
      "effective configuration (defaults filled in, secrets masked) to stdout.\n"
      "Exit status: 0 valid (warnings allowed), 1 an error (the daemon would refuse the file).");

  std::string migrate_file;
  CLI::App* migrate = app.add_subcommand(
      "migrate",
      "Print a redkeep configuration equivalent to a keepalived.conf: Redis check and role "
      "scripts become the redis block, other scripts are kept; each decision is a comment");
  migrate->add_option("FILE", migrate_file, "The keepalived.conf (the scripts it names are read)")
      ->required();
  migrate->footer(
      "Exit status: 0 the result passes `check` here; 1 it does not (printed anyway, with the "
      "reasons on stderr); 2 FILE unreadable.");

  std::string run_config;
  CLI::App* run = app.add_subcommand(
      "run", "Run the daemon in the foreground (logs to stderr; SIGTERM stops it cleanly)");
  run->add_option("-f,--config", run_config, "Configuration file (keepalived.conf syntax)")
      ->required();
  std::string log_format = "text";
  run->add_option("--log-format", log_format,
                  "text (the default: TIME NODE LEVEL [INSTANCE] sentence) or json (one object "
                  "per line: ts, level, node, instance, event, text and the event's fields)")
      ->check(CLI::IsMember({"text", "json"}));
  run->footer(
      "Signals:\n"
      "  SIGTERM, SIGINT  stop: a Master removes its VIP, sends a priority 0 advert, waits for "
      "the new Master (Master_Down_Interval + 1 s at most) and makes its Redis a replica of it; "
      "a second signal stops at once\n"
      "  SIGHUP           read the configuration again (as `redkeep reload`)\n"
      "  SIGUSR1          write the status (as `redkeep status --json`) to the log\n"
      "Environment (set by systemd, examples/redkeep.service):\n"
      "  NOTIFY_SOCKET    READY=1 once every vrrp_instance entered its first state, "
      "RELOADING=1 and READY=1 around a reload, STOPPING=1 at a stop signal, STATUS= with each "
      "instance's state\n"
      "  WATCHDOG_USEC    WATCHDOG=1 at least every WATCHDOG_USEC/2, sent only when every "
      "instance's election ran since the last one (a hung election stops them)\n"
      "Metrics: global_defs metrics_listen ADDRESS:PORT serves /metrics in the Prometheus "
      "text format (state, priorities, eligibility and why not, adverts, rejections, VIP, "
      "Redis role, health, offset and lag, actor restarts).\n"
      "Privileges: CAP_NET_ADMIN (the VIP, over netlink) and CAP_NET_RAW (adverts, gratuitous "
      "ARP); root is not needed. Scripts run without either.\n"
      "Exit status: 0 stopped by a signal; 1 the configuration has an error, the control socket "
      "is in use by another daemon, or an actor failed too often.");

  DaemonAddress status_daemon;
  bool status_json = false;
  CLI::App* status = app.add_subcommand(
      "status",
      "Ask the running daemon for its state. Exit status: 0 master, 1 backup, 2 fault, "
      "3 daemon unreachable");
  status->add_flag("--json", status_json, "Print the full status as JSON");
  status_daemon.add_options(status);

  DaemonAddress cold_daemon;
  std::string cold_instance;
  bool cold_force = false;
  CLI::App* cold = app.add_subcommand(
      "cold-start",
      "Show what a cold start waits for (members compared, members not reached); with --force, "
      "go on without the members not reached, as with cold_start_quorum 1");
  cold->add_flag("--force", cold_force,
                 "Stop waiting for the members not reached (their data may be newer)");
  cold->add_option("--instance", cold_instance, "Only this vrrp_instance (default: every one)");
  cold_daemon.add_options(cold);
  cold->footer(
      "Exit status: 0 shown or overridden; 1 no instance of that name; 3 daemon unreachable.");

  DaemonAddress sw_daemon;
  std::string sw_instance;
  double sw_timeout = 10;
  CLI::App* sw = app.add_subcommand(
      "switchover",
      "Make this node Master without losing a write: pause writes on the Master's Redis, wait "
      "until the local Redis has all of them, take Master. Exit 0 done, 1 refused or aborted "
      "(the reason printed), 3 daemon unreachable");
  sw->add_option("--instance", sw_instance,
                 "The vrrp_instance (default: the only one with a redis block)");
  sw->add_option("--timeout", sw_timeout,
                 "Seconds to wait for the local Redis to catch up before aborting, 0.001 to 300 "
                 "(default 10)");
  sw_daemon.add_options(sw);

  DaemonAddress reload_daemon;
  CLI::App* reload = app.add_subcommand(
      "reload",
      "Have the running daemon read its configuration file again (as SIGHUP). Exit 0 applied, "
      "1 not applied (the running configuration kept, errors printed), 3 daemon unreachable");
  reload_daemon.add_options(reload);
  reload->footer(
      "What a change does: priority, nopreempt, the VIP list, advert_int, the redis block and "
      "the other settings are applied without a transition (the election resumes where it "
      "was); interface, unicast_src_ip, unicast_peer or state_file changes restart that "
      "instance (stopped as on SIGTERM); a new vrrp_instance "
      "starts, a removed one stops. The answer lists each instance and its changed keywords.");

  redkeep::inspect::InspectOptions inspect_opts;
  CLI::App* inspect = app.add_subcommand(
      "inspect",
      "Tell the cluster's story from the logs of its nodes: who was master when, each failover "
      "with its durations, data-safety decisions, noise, split brains. Reads text or JSON lines "
      "(redkeep run --log-format), with or without the prefix of `docker compose logs`; "
      "standard input when no file is given");
  inspect->add_option("FILE", inspect_opts.files,
                      "Log files (of one node each, or interleaved; - is standard input); the "
                      "node is taken from the line, else the compose prefix, else the file's "
                      "name");
  inspect->add_option("--since", inspect_opts.since,
                      "Only what happened from this time on (2026-12-01T07:00:00, UTC unless "
                      "an offset such as +01:00 is given)");
  inspect->add_option("--until", inspect_opts.until, "Only what happened up to this time");
  inspect->add_option("--node", inspect_opts.node, "Only this node's lines");
  inspect->add_flag("--json", inspect_opts.json,
                    "JSON Lines (one object per entry, then a summary) instead of text");
  std::string inspect_svg;
  auto* svg_option = inspect->add_option(
      "--svg", inspect_svg, "Also draw the timeline into this file, NAME.svg (a lane per node)");
  inspect->footer(
      "Exit status: 0 read (whatever the story); 1 a log file unreadable; 2 a bad option "
      "(--since/--until not a time, --svg not NAME.svg or also a log).");

  // CLI11 reports an unknown first word as a missing subcommand; name it instead.
  if (argc > 1 && argv[1][0] != '-') {
    std::string known;
    bool found = false;
    for (const CLI::App* sub : app.get_subcommands({})) {
      known += " " + sub->get_name();
      found = found || sub->get_name() == argv[1];
    }
    if (!found) {
      std::cerr << "redkeep: unknown command '" << argv[1] << "'; one of:" << known
                << " (redkeep --help)\n";
      return static_cast<int>(CLI::ExitCodes::ExtrasError);
    }
  }
  CLI11_PARSE(app, argc, argv);
  if (*inspect) {
    if (svg_option->count() > 0) inspect_opts.svg = inspect_svg;
    return redkeep::inspect::run_inspect(inspect_opts, std::cin, std::cout, std::cerr);
  }
  if (*check && check_online)
    return redkeep::config::run_check_online(check_config, std::cout, std::cerr);
  if (*check) return redkeep::config::run_check(check_config, std::cout, std::cerr);
  if (*migrate) return redkeep::config::run_migrate(migrate_file, std::cout, std::cerr);
  if (*run)
    return redkeep::actors::run_daemon(run_config, log_format == "json"
                                                       ? redkeep::actors::LogFormat::json
                                                       : redkeep::actors::LogFormat::text);
  if (*status) {
    const auto path = status_daemon.path();
    if (path.empty()) return redkeep::actors::kStatusUnreachable;
    return redkeep::actors::run_status(path, status_json, std::cout, std::cerr);
  }
  if (*cold) {
    const auto path = cold_daemon.path();
    if (path.empty()) return redkeep::actors::kStatusUnreachable;
    return redkeep::actors::run_cold_start(path, cold_force, cold_instance, std::cout, std::cerr);
  }
  if (*reload) {
    const auto path = reload_daemon.path();
    if (path.empty()) return 1;  // the file itself has errors (printed): nothing to apply
    return redkeep::actors::run_reload(path, std::cout, std::cerr);
  }
  if (*sw) {
    if (!(sw_timeout >= 0.001 && sw_timeout <= 300)) {  // NaN fails too
      std::cerr << "redkeep switchover: --timeout: a number of seconds from 0.001 to 300\n";
      return 1;
    }
    const auto path = sw_daemon.path();
    if (path.empty()) return redkeep::actors::kStatusUnreachable;
    return redkeep::actors::run_switchover(path, sw_instance, sw_timeout, std::cout, std::cerr);
  }
  return 0;
}
