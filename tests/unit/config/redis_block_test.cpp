// The redis block's Redis-side settings: rename_command and manage_masterauth.
#include <catch2/catch.hpp>

#include "config/parser.hpp"
#include "config/print.hpp"
#include "config/reload_plan.hpp"
#include "config_test_util.hpp"

using namespace redkeep::config;
using namespace redkeep::config::test;

namespace {

std::string with_redis(const std::string& lines) {
  return instance("    redis {\n" + lines + "    }\n");
}

std::string diagnostics(const LoadResult& r) {
  std::string out;
  for (const auto& d : r.diagnostics) out += d.to_string() + "\n";
  return out;
}

}  // namespace

TEST_CASE("rename_command: each line renames one command, any case, the name kept as written",
          "[config][rename_command]") {
  const LoadResult r =
      parse(with_redis("        rename_command replicaof RK_REPLICAOF_9f\n"
                       "        rename_command CONFIG cfg\n"));
  INFO(diagnostics(r));
  REQUIRE(r.ok());
  CHECK(r.diagnostics.empty());
  const auto& renames = r.config->instances[0].redis->rename_command;
  CHECK(renames ==
        std::map<std::string, std::string>{{"CONFIG", "cfg"}, {"REPLICAOF", "RK_REPLICAOF_9f"}});
  const auto printed = format_effective(*r.config);
  CHECK(printed.find("rename_command CONFIG cfg\n") != std::string::npos);
  CHECK(printed.find("rename_command REPLICAOF RK_REPLICAOF_9f\n") != std::string::npos);
}

TEST_CASE("rename_command: a command redkeep never sends, a missing or empty name are errors",
          "[config][rename_command]") {
  const LoadResult unknown = parse(with_redis("        rename_command FLUSHALL x\n"));
  REQUIRE_FALSE(unknown.ok());
  CHECK(diagnostics(unknown) ==
        "t.conf:8:24: error: redkeep never sends 'FLUSHALL'; rename_command takes one of ACL "
        "AUTH CLIENT COMMAND CONFIG EXISTS INFO PING REPLICAOF ROLE SCAN SELECT SLAVEOF\n");
  const LoadResult missing = parse(with_redis("        rename_command REPLICAOF\n"));
  REQUIRE_FALSE(missing.ok());
  CHECK(diagnostics(missing) ==
        "t.conf:8:24: error: expected the name REPLICAOF has in redis.conf after rename_command "
        "REPLICAOF\n");
  const LoadResult empty = parse(with_redis("        rename_command REPLICAOF \"\"\n"));
  REQUIRE_FALSE(empty.ok());
  CHECK(diagnostics(empty).find("a command renamed to \"\" is disabled and redkeep cannot send "
                                "it") != std::string::npos);
  const LoadResult extra = parse(with_redis("        rename_command REPLICAOF a b\n"));
  CHECK_FALSE(extra.ok());
}

TEST_CASE("rename_command: the same command renamed twice draws a warning, the last name wins",
          "[config][rename_command]") {
  const LoadResult r =
      parse(with_redis("        rename_command REPLICAOF a\n        rename_command replicaof b\n"));
  REQUIRE(r.ok());
  CHECK(r.config->instances[0].redis->rename_command.at("REPLICAOF") == "b");
  CHECK(diagnostics(r) ==
        "t.conf:9:24: warning: rename_command REPLICAOF is given again; this "
        "name replaces the other\n");
}

TEST_CASE("manage_masterauth: yes or no, off by default, a warning without a password",
          "[config][manage_masterauth]") {
  const LoadResult off = parse(with_redis(""));
  REQUIRE(off.ok());
  CHECK_FALSE(off.config->instances[0].redis->manage_masterauth);
  const LoadResult on =
      parse(with_redis("        password secret\n        manage_masterauth yes\n"));
  REQUIRE(on.ok());
  CHECK(on.diagnostics.empty());
  CHECK(on.config->instances[0].redis->manage_masterauth);
  CHECK(format_effective(*on.config).find("manage_masterauth yes\n") != std::string::npos);
  const LoadResult alone = parse(with_redis("        manage_masterauth yes\n"));
  REQUIRE(alone.ok());
  CHECK(diagnostics(alone) ==
        "t.conf:8:9: warning: manage_masterauth yes does nothing without "
        "password or password_file: there is no credential to set\n");
  CHECK_FALSE(parse(with_redis("        manage_masterauth on\n")).ok());
}

TEST_CASE("a reload that changes rename_command or manage_masterauth applies to the instance",
          "[config][reload]") {
  const auto before = parse(with_redis("        rename_command CONFIG a\n"));
  const auto after = parse(with_redis("        rename_command CONFIG b\n"));
  const auto managed =
      parse(with_redis("        rename_command CONFIG a\n"
                       "        manage_masterauth yes\n"));
  REQUIRE((before.ok() && after.ok() && managed.ok()));
  const auto renamed = plan_reload(*before.config, *after.config);
  REQUIRE(renamed.instances.size() == 1);
  CHECK(renamed.instances[0].keywords == std::vector<std::string>{"redis.rename_command"});
  const auto manage = plan_reload(*before.config, *managed.config);
  REQUIRE(manage.instances.size() == 1);
  CHECK(manage.instances[0].keywords == std::vector<std::string>{"redis.manage_masterauth"});
}
