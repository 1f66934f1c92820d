// redkeep command line entry point.
#include <CLI/CLI.hpp>

#include <iostream>

#include "config/check_command.hpp"

int main(int argc, char** argv) {
  CLI::App app{"redkeep: VRRP failover for Redis master/replica nodes"};
  app.set_version_flag("--version", std::string("redkeep ") + REDKEEP_VERSION);
  app.require_subcommand(1);

  std::string check_config;
  CLI::App* check = app.add_subcommand(
      "check", "Validate a configuration file and print the effective configuration");
  check->add_option("-f,--config", check_config, "Configuration file (keepalived.conf syntax)")
      ->required();

  CLI11_PARSE(app, argc, argv);
  if (*check) return redkeep::config::run_check(check_config, std::cout, std::cerr);
  return 0;
}
