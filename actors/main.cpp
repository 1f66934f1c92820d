// redkeep command line entry point.
#include <CLI/CLI.hpp>

#include <iostream>

int main(int argc, char** argv) {
  CLI::App app{"redkeep: VRRP failover for Redis master/replica nodes"};
  app.set_version_flag("--version", std::string("redkeep ") + REDKEEP_VERSION);
  app.require_subcommand(1);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
