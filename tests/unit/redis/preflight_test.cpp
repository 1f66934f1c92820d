// The preflight's rules on fabricated facts (pure), and its probe against real redis-servers.
#include "redis/preflight.hpp"

#include <catch2/catch.hpp>

#include "redis/connection.hpp"
#include "redis/operations.hpp"
#include "redis/preflight_probe.hpp"
#include "tests/support/redis_server.hpp"

using namespace redkeep::redis;
using redkeep::test::RedisServer;

namespace {

/// A local Redis as the lab runs it: nothing to report.
PreflightFacts quiet() {
  PreflightFacts f;
  f.local.address = "127.0.0.1:6379";
  f.local.config = {{"masterauth", ""},
                    {"masteruser", ""},
                    {"requirepass", ""},
                    {"replica-read-only", "yes"},
                    {"protected-mode", "no"},
                    {"bind", "0.0.0.0"},
                    {"repl-diskless-sync", "yes"},
                    {"repl-diskless-sync-delay", "0"},
                    {"repl-backlog-size", "1048576"},
                    {"save", "3600 1"},
                    {"appendonly", "no"},
                    {"replica-priority", "100"}};
  return f;
}

std::vector<std::string> settings(const std::vector<Finding>& findings) {
  std::vector<std::string> out;
  for (const auto& f : findings)
    out.push_back(std::string(to_string(f.severity)) + " " + f.setting);
  return out;
}

using Strings = std::vector<std::string>;

}  // namespace

TEST_CASE("preflight: a well-configured Redis has nothing to report", "[redis][preflight]") {
  CHECK(judge_preflight(quiet()).empty());
}

TEST_CASE("preflight: masterauth missing while the members require a password is an error",
          "[redis][preflight]") {
  auto f = quiet();
  f.local.config["requirepass"] = "pw";
  f.members.push_back(MemberFacts{"192.0.2.12:6379", std::nullopt, true, std::nullopt, {}});
  auto findings = judge_preflight(f);
  REQUIRE(settings(findings) == Strings{"error masterauth"});
  CHECK(findings[0].where == "127.0.0.1:6379");
  CHECK(findings[0].text.find("the Redis of 192.0.2.12:6379 requires a password") !=
        std::string::npos);
  CHECK(findings[0].text.find("manage_masterauth yes") != std::string::npos);
  SECTION("no member known: a warning that says why") {
    f.members.clear();
    CHECK(settings(judge_preflight(f)) == Strings{"warning masterauth"});
  }
  SECTION("manage_masterauth sets it: nothing to report") {
    f.manage_masterauth = true;
    CHECK(judge_preflight(f).empty());
  }
}

TEST_CASE("preflight: masterauth refused, masteruser without +psync, own ACL gaps",
          "[redis][preflight]") {
  auto f = quiet();
  f.local.config["masterauth"] = "pw";
  f.local.config["masteruser"] = "replicator";
  f.members.push_back(MemberFacts{"192.0.2.12:6379",
                                  std::nullopt,
                                  true,
                                  std::string("WRONGPASS invalid username-password pair"),
                                  {"psync"}});
  f.local.denied = {"replicaof", "client|kill"};
  f.user = "redkeep";
  const auto findings = judge_preflight(f);
  REQUIRE(settings(findings) ==
          Strings{"error ACL user redkeep", "error masterauth", "error masteruser"});
  CHECK(findings[0].text.find("ACL SETUSER redkeep +replicaof +client|kill") != std::string::npos);
  CHECK(findings[1].where == "127.0.0.1:6379");
  CHECK(findings[1].text.find("fails on 192.0.2.12:6379") != std::string::npos);
  CHECK(findings[1].text.find("as masteruser 'replicator'") != std::string::npos);
  CHECK(findings[2].text.find("ACL SETUSER replicator +psync +replconf +ping") !=
        std::string::npos);
}

TEST_CASE("preflight: renamed commands, by what each one serves", "[redis][preflight]") {
  auto f = quiet();
  f.local.unknown_commands = {"CONFIG", "REPLICAOF", "SCAN", "SLAVEOF", "COMMAND"};
  CHECK(settings(judge_preflight(f)) ==
        Strings{"error rename_command REPLICAOF", "error rename_command CONFIG",
                "warning rename_command SCAN", "note rename_command COMMAND"});
  f.local.unknown_commands = {"REPLICAOF"};  // SLAVEOF still works: nothing breaks
  CHECK(judge_preflight(f).empty());
  f.local.unknown_commands = {"PING"};
  f.renames = {{"PING", "rk-ping"}};
  const auto findings = judge_preflight(f);
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].text.rfind("PING is unknown as rk-ping (rename_command PING rk-ping)", 0) == 0);
}

TEST_CASE("preflight: settings that keep members out, slow a failover or lose data",
          "[redis][preflight]") {
  auto f = quiet();
  f.local.config["bind"] = "127.0.0.1 -::1";
  f.local.config["protected-mode"] = "yes";
  f.local.config["replica-read-only"] = "no";
  f.local.config["repl-diskless-sync-delay"] = "5";
  f.local.config["save"] = "";
  f.local.config["replica-priority"] = "0";
  f.local.write_rate = 100 * 1024;  // 1 MB of backlog: about 10 s
  f.listed_replicas.push_back(
      ListedReplica{"192.0.2.11:6379", "172.17.0.3:6379", std::string("connect timed out")});
  const auto findings = judge_preflight(f);
  CHECK(settings(findings) ==
        Strings{"error replica-announce-ip", "error bind", "error protected-mode",
                "warning replica-read-only", "warning repl-diskless-sync-delay",
                "warning repl-backlog-size", "warning save", "note replica-priority"});
  CHECK(findings[5].text.find("repl-backlog-size 1mb holds 10.2 s of writes at the current "
                              "102400 bytes/s") == 0);
  CHECK(findings[4].text.find("waits 5 s") != std::string::npos);
  SECTION("AOF only is a note") {
    f.local.config["appendonly"] = "yes";
    CHECK(settings(judge_preflight(f)).back() == "note save");
  }
}

TEST_CASE("preflight: an unreachable local Redis is one error and nothing else",
          "[redis][preflight]") {
  auto f = quiet();
  f.local.unreachable = "connect 127.0.0.1:6379: refused";
  CHECK(settings(judge_preflight(f)) == Strings{"error connection"});
}

TEST_CASE("format_bytes writes redis.conf's units when exact", "[redis][preflight]") {
  CHECK(format_bytes(1048576) == "1mb");
  CHECK(format_bytes(512 * 1024) == "512kb");
  CHECK(format_bytes(3LL << 30) == "3gb");
  CHECK(format_bytes(1000) == "1000");
}

TEST_CASE(
    "probe_preflight: a real Redis with an ACL user lacking REPLICAOF and renamed "
    "commands",
    "[redis][preflight][live]") {
  RedisServer::Options o;
  o.extra_args = {"--user",     "redkeep",  "on",
                  ">pw",        "~*",       "+@all",
                  "-replicaof", "-slaveof", "--rename-command",
                  "SCAN",       "rk-scan",  "--repl-diskless-sync-delay",
                  "0"};
  RedisServer server(o);
  PreflightTarget t;
  t.host = server.host();
  t.port = server.port();
  t.access = Access{std::string("redkeep"), std::string("pw"), {}};
  t.rate_sample = std::chrono::milliseconds(0);
  const auto facts = probe_preflight(t);
  REQUIRE_FALSE(facts.local.unreachable);
  CHECK_FALSE(facts.local.config_refused);
  CHECK(facts.local.config.at("repl-diskless-sync-delay") == "0");
  CHECK(facts.local.unknown_commands == std::vector<std::string>{"SCAN"});
  CHECK_FALSE(facts.local.dryrun_refused);
  CHECK(facts.local.denied == std::vector<std::string>{"replicaof"});
  const auto findings = judge_preflight(facts);
  CHECK(std::count_if(findings.begin(), findings.end(), [](const Finding& f) {
          return f.setting == "ACL user redkeep" && f.severity == Severity::error;
        }) == 1);
}

TEST_CASE("probe_preflight: a Redis kept a replica of nowhere has no master to reach",
          "[redis][preflight][live]") {
  RedisServer server;
  auto c = Connection::open(server.host(), server.port(), std::chrono::seconds(1),
                            std::chrono::seconds(1), Access{}, "test");
  REQUIRE(c);
  REQUIRE(replicaof_nowhere(c.value()));
  PreflightTarget t;
  t.host = server.host();
  t.port = server.port();
  t.rate_sample = std::chrono::milliseconds(0);
  const auto facts = probe_preflight(t);
  REQUIRE_FALSE(facts.local.unreachable);
  for (const auto& m : facts.members) CHECK(m.address != "127.0.0.1:1");
  for (const auto& f : judge_preflight(facts)) CHECK(f.where != "127.0.0.1:1");
}
