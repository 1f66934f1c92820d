// rename_command against a real redis-server started with rename-command.
#include "redis/command_names.hpp"

#include <catch2/catch.hpp>

#include "redis/operations.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/unit/redis/live.hpp"

using namespace redkeep::redis;
using redkeep::redis::testing::connect;
using redkeep::test::RedisServer;

namespace {

RedisServer::Options renamed(std::vector<std::string> extra, std::string requirepass = "") {
  RedisServer::Options o;
  o.requirepass = std::move(requirepass);
  o.extra_args = std::move(extra);
  return o;
}

}  // namespace

TEST_CASE("commands_sent is sorted, upper case, and knows its members in any case",
          "[redis][rename_command]") {
  const auto& all = commands_sent();
  CHECK(std::is_sorted(all.begin(), all.end()));
  for (const auto& c : all) CHECK(upper(c) == c);
  CHECK(is_command_sent("replicaof"));
  CHECK(is_command_sent("Client"));
  CHECK_FALSE(is_command_sent("FLUSHALL"));
  const CommandRenames renames{{"REPLICAOF", "rk-of"}};
  CHECK(command_name(renames, "REPLICAOF") == "rk-of");
  CHECK(command_name(renames, "SLAVEOF") == "SLAVEOF");
}

TEST_CASE("REPLICAOF and SLAVEOF both renamed: refused, and the error names rename_command",
          "[redis][rename_command]") {
  RedisServer server(
      renamed({"--rename-command", "REPLICAOF", "rk-of-7f3a", "--rename-command", "SLAVEOF", ""}));
  auto c = connect(server);
  REQUIRE(c);
  auto r = replicaof_nowhere(c.value());
  REQUIRE_FALSE(r);
  CHECK(r.failure() == Failure::unknown_command);
  INFO(r.error().message);
  CHECK(r.error().message.rfind("REPLICAOF and SLAVEOF are both unknown: ", 0) == 0);
  CHECK(r.error().message.find("add rename_command REPLICAOF NEW_NAME to the redis block") !=
        std::string::npos);
}

TEST_CASE("with rename_command, REPLICAOF, AUTH and CLIENT go by their new names",
          "[redis][rename_command]") {
  RedisServer server(
      renamed({"--rename-command", "REPLICAOF", "rk-of-7f3a", "--rename-command", "SLAVEOF", "",
               "--rename-command", "AUTH", "rk-auth", "--rename-command", "CLIENT", "rk-client"},
              "pw-1"));
  const CommandRenames renames{
      {"REPLICAOF", "rk-of-7f3a"}, {"AUTH", "rk-auth"}, {"CLIENT", "rk-client"}};
  auto c = connect(server, "redkeep-test", std::chrono::milliseconds(1000), std::nullopt,
                   std::string("pw-1"), renames);
  REQUIRE(c);
  REQUIRE(replicaof_nowhere(c.value()));
  auto role_now = role(c.value());
  REQUIRE(role_now);
  CHECK(role_now.value().kind == Role::Kind::replica);
  auto clients = list_clients(c.value());  // CLIENT LIST as rk-client LIST
  REQUIRE(clients);
  CHECK_FALSE(clients.value().empty());
  REQUIRE(replicaof_no_one(c.value()));

  SECTION("a wrong new name says which name was sent") {
    auto wrong = connect(
        server, "redkeep-test", std::chrono::milliseconds(1000), std::nullopt, std::string("pw-1"),
        CommandRenames{{"AUTH", "rk-auth"}, {"CLIENT", "rk-client"}, {"REPLICAOF", "rk-of-other"}});
    REQUIRE(wrong);
    auto r = replicaof_nowhere(wrong.value());
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("sent as rk-of-other by rename_command REPLICAOF rk-of-other") !=
          std::string::npos);
  }
}

TEST_CASE("an unknown command's error never echoes its arguments: a long password stays out",
          "[redis][rename_command]") {
  const std::string password(205, 'L');
  RedisServer server(renamed({}, password));
  auto c = connect(server, "redkeep-test", std::chrono::milliseconds(1000), std::nullopt, password,
                   CommandRenames{{"AUTH", "bogusauth"}});
  REQUIRE_FALSE(c);
  INFO(c.error().message);
  CHECK(c.error().message.find("LLLLLLLL") == std::string::npos);
  CHECK(c.error().message.find("bogusauth") != std::string::npos);
}
