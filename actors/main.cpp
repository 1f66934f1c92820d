// redkeep command line entry point.
#include <CLI/CLI.hpp>

#include <iostream>

#include "actors/cold_start_command.hpp"
#include "actors/reload_command.hpp"
#include "actors/run_command.hpp"
#include "actors/status_command.hpp"
#include "actors/switchover_command.hpp"
#include "config/check_command.hpp"
#include "config/model.hpp"
#include "config/parser.hpp"

int main(int argc, char** argv) {
  CLI::App app{"redkeep: VRRP failover for Redis master/replica nodes"};
  app.set_version_flag("--version", std::string("redkeep ") + REDKEEP_VERSION);
  app.require_subcommand(1);

  std::string check_config;
  CLI::App* check = app.add_subcommand(
      "check", "Validate a configuration file and print the effective configuration");
  check->add_option("-f,--config", check_config, "Configuration file (keepalived.conf syntax)")
      ->required();

  std::string run_config;
  CLI::App* run = app.add_subcommand(
      "run", "Run the daemon in the foreground (logs to stderr; SIGTERM stops it cleanly)");
  run->add_option("-f,--config", run_config, "Configuration file (keepalived.conf syntax)")
      ->required();

  std::string status_socket;
  std::string status_config;
  bool status_json = false;
  CLI::App* status = app.add_subcommand(
      "status",
      "Ask the running daemon for its state. Exit status: 0 master, 1 backup, 2 fault, "
      "3 daemon unreachable");
  status->add_flag("--json", status_json, "Print the full status as JSON");
  auto* sock_opt = status->add_option("-s,--socket", status_socket,
                                      std::string("Control socket (default ") +
                                          redkeep::config::kDefaultControlSocket + ")");
  status->add_option("-f,--config", status_config, "Take control_socket from this config file")
      ->excludes(sock_opt);

  std::string cold_socket;
  std::string cold_config;
  std::string cold_instance;
  bool cold_force = false;
  CLI::App* cold = app.add_subcommand(
      "cold-start",
      "Show what a cold start waits for (members compared, members not reached); with --force, "
      "go on without the members not reached, as with cold_start_quorum 1");
  cold->add_flag("--force", cold_force,
                 "Stop waiting for the members not reached (their data may be newer)");
  cold->add_option("--instance", cold_instance, "Only this vrrp_instance (default: every one)");
  auto* cold_sock = cold->add_option("-s,--socket", cold_socket,
                                     std::string("Control socket (default ") +
                                         redkeep::config::kDefaultControlSocket + ")");
  cold->add_option("-f,--config", cold_config, "Take control_socket from this config file")
      ->excludes(cold_sock);

  std::string sw_socket;
  std::string sw_config;
  std::string sw_instance;
  double sw_timeout = 10;
  CLI::App* sw = app.add_subcommand(
      "switchover",
      "Make this node Master without losing a write: pause writes on the Master's Redis, wait "
      "until the local Redis has all of them, take Master. Exit 0 done, 1 refused or aborted "
      "(nothing changed), 3 daemon unreachable");
  sw->add_option("--instance", sw_instance,
                 "The vrrp_instance (default: the only one with a redis block)");
  sw->add_option("--timeout", sw_timeout,
                 "Seconds to wait for the local Redis to catch up before aborting (default 10)")
      ->check(CLI::Range(0.001, 3600.0));
  auto* sw_sock = sw->add_option("-s,--socket", sw_socket,
                                 std::string("Control socket (default ") +
                                     redkeep::config::kDefaultControlSocket + ")");
  sw->add_option("-f,--config", sw_config, "Take control_socket from this config file")
      ->excludes(sw_sock);

  std::string reload_socket;
  std::string reload_config;
  CLI::App* reload = app.add_subcommand(
      "reload",
      "Have the running daemon read its configuration file again (as SIGHUP). Exit 0 applied, "
      "1 not applied (the running configuration kept, errors printed), 3 daemon unreachable");
  auto* reload_sock = reload->add_option("-s,--socket", reload_socket,
                                         std::string("Control socket (default ") +
                                             redkeep::config::kDefaultControlSocket + ")");
  reload->add_option("-f,--config", reload_config, "Take control_socket from this config file")
      ->excludes(reload_sock);

  CLI11_PARSE(app, argc, argv);
  if (*check) return redkeep::config::run_check(check_config, std::cout, std::cerr);
  if (*run) return redkeep::actors::run_daemon(run_config);
  // The control socket: --socket, else the config file's control_socket, else the default.
  auto socket_path = [](const std::string& socket, const std::string& config) {
    if (!config.empty()) {
      auto loaded = redkeep::config::load_file(config);
      if (!loaded.ok()) {
        for (const auto& d : loaded.diagnostics) std::cerr << d.to_string() << "\n";
        return std::string();
      }
      return loaded.config->global.control_socket;
    }
    return socket.empty() ? std::string(redkeep::config::kDefaultControlSocket) : socket;
  };
  if (*status) {
    const auto path = socket_path(status_socket, status_config);
    if (path.empty()) return redkeep::actors::kStatusUnreachable;
    return redkeep::actors::run_status(path, status_json, std::cout, std::cerr);
  }
  if (*cold) {
    const auto path = socket_path(cold_socket, cold_config);
    if (path.empty()) return redkeep::actors::kStatusUnreachable;
    return redkeep::actors::run_cold_start(path, cold_force, cold_instance, std::cout, std::cerr);
  }
  if (*reload) {
    const auto path = socket_path(reload_socket, reload_config);
    if (path.empty()) return 1;  // the file itself has errors (printed): nothing to apply
    return redkeep::actors::run_reload(path, std::cout, std::cerr);
  }
  if (*sw) {
    const auto path = socket_path(sw_socket, sw_config);
    if (path.empty()) return redkeep::actors::kStatusUnreachable;
    return redkeep::actors::run_switchover(path, sw_instance, sw_timeout, std::cout, std::cerr);
  }
  return 0;
}
