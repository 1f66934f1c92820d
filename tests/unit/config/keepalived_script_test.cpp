// What a keepalived script does, read from its text (for `redkeep migrate`): the recipe's
// three scripts (tests/fixtures/migrate/recipe/scripts) and other shapes seen in the wild.
#include "config/keepalived_script.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <map>

using redkeep::config::classify_script;
using redkeep::config::ReadFile;
using redkeep::config::ScriptKind;

namespace {

const std::string kScripts = std::string(REDKEEP_FIXTURES_DIR) + "/migrate/recipe/scripts";

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), {});
}

/// The recipe's script `name`, read from the fixtures as if it were installed in
/// /etc/keepalived/scripts (the path keepalived.conf names).
redkeep::config::ScriptVerdict recipe(const std::string& name) {
  const ReadFile read = [](const std::string& path) {
    const std::string installed = "/etc/keepalived/scripts/";
    if (path.rfind(installed, 0) != 0) return std::optional<std::string>();
    return read_file(kScripts + "/" + path.substr(installed.size()));
  };
  const auto text = read_file(kScripts + "/" + name);
  REQUIRE(text);
  return classify_script(*text, "/etc/keepalived/scripts/" + name, read);
}

redkeep::config::ScriptVerdict inline_script(const std::string& text,
                                             std::map<std::string, std::string> files = {}) {
  return classify_script(text, "/etc/keepalived/check.sh",
                         [files](const std::string& path) -> std::optional<std::string> {
                           const auto it = files.find(path);
                           if (it == files.end()) return std::nullopt;
                           return it->second;
                         });
}

}  // namespace

TEST_CASE("the recipe's check script only checks the local Redis", "[migrate]") {
  const auto v = recipe("redis_check.sh");
  CHECK(v.kind == ScriptKind::redis_check);
  CHECK(v.reason == "runs redis-cli -h 127.0.0.1 -p 6379 PING");
  CHECK(v.port == 6379);
}

TEST_CASE("the recipe's notify scripts only switch the local Redis's role", "[migrate]") {
  auto v = recipe("redis_master.sh");
  CHECK(v.kind == ScriptKind::redis_role);
  CHECK(v.reason == "runs redis-cli -h 127.0.0.1 -p 6379 SLAVEOF no one");
  v = recipe("redis_backup.sh");
  CHECK(v.kind == ScriptKind::redis_role);
  CHECK(v.reason == "runs redis-cli -p 6379 SLAVEOF 192.0.2.100 6379");
}

TEST_CASE("one-line checks as keepalived.conf writes them", "[migrate]") {
  auto v = inline_script("redis-cli -p 6380 ping");
  CHECK(v.kind == ScriptKind::redis_check);
  CHECK(v.port == 6380);
  v = inline_script("/usr/bin/redis-cli -h localhost -a 'se cret' PING | grep -q PONG");
  CHECK(v.kind == ScriptKind::other);  // grep: not followed
  CHECK(v.reason == "runs grep");
  v = inline_script("test \"$(redis-cli ping)\" = PONG");
  CHECK(v.kind == ScriptKind::redis_check);
  v = inline_script("killall -0 redis-server");
  CHECK(v.kind == ScriptKind::other);
  CHECK(v.reason == "runs killall");
}

TEST_CASE("a redis-cli call under timeout, exec or nice is still a Redis check", "[migrate]") {
  auto v = inline_script("[ \"$(timeout -k 1 2 redis-cli -p 6381 ping)\" = PONG ]");
  CHECK(v.kind == ScriptKind::redis_check);
  CHECK(v.port == 6381);
  v = inline_script("exec nice -n 5 redis-cli -p 6379 SLAVEOF no one");
  CHECK(v.kind == ScriptKind::redis_role);
  v = inline_script("timeout 2 curl -fs http://127.0.0.1:8080/health");
  CHECK(v.kind == ScriptKind::other);
  CHECK(v.reason == "runs curl");
}

TEST_CASE("what the reading cannot follow keeps the script", "[migrate]") {
  // A sourced file that cannot be read.
  auto v = inline_script("source /etc/redis-ha.conf\nredis-cli ping\n");
  CHECK(v.kind == ScriptKind::other);
  CHECK(v.reason == "sources /etc/redis-ha.conf, which cannot be read");
  // A Redis elsewhere, a command that is neither a check nor a role change, a page.
  v = inline_script("redis-cli -h 192.0.2.7 ping");
  CHECK(v.kind == ScriptKind::other);
  v = inline_script("redis-cli CONFIG SET appendonly yes");
  CHECK(v.kind == ScriptKind::other);
  v = inline_script(
      "redis-cli replicaof no one\nmail -s 'master moved' ops@example.org < /dev/null");
  CHECK(v.kind == ScriptKind::other);
  CHECK(v.reason == "runs mail");
  v = inline_script("# nothing but a comment\n");
  CHECK(v.kind == ScriptKind::other);
  CHECK(v.reason == "runs no Redis command");
  // A sourced file that sets the port.
  v = inline_script(". /etc/keepalived/env.sh\n$CLI -p $PORT replicaof 192.0.2.100 $PORT\n",
                    {{"/etc/keepalived/env.sh", "CLI=redis-cli\nPORT=6390\n"}});
  CHECK(v.kind == ScriptKind::redis_role);
  CHECK(v.port == 6390);
  // A file that sources itself ends, as other.
  v = inline_script("source /etc/keepalived/check.sh\n",
                    {{"/etc/keepalived/check.sh", "source /etc/keepalived/check.sh\n"}});
  CHECK(v.kind == ScriptKind::other);
}

TEST_CASE("the credentials of the redis-cli calls are kept, and never shown in the reason",
          "[migrate]") {
  auto v = inline_script("redis-cli -a Pw1secret -p 6380 ping");
  CHECK(v.kind == ScriptKind::redis_check);
  CHECK(v.password == "Pw1secret");
  CHECK(v.reason.find("Pw1secret") == std::string::npos);
  v = inline_script("redis-cli -u redis://app:Pw2secret@127.0.0.1:6381/0 PING");
  CHECK(v.kind == ScriptKind::redis_check);
  CHECK(v.port == 6381);
  CHECK(v.user == "app");
  CHECK(v.password == "Pw2secret");
  CHECK(v.reason.find("Pw2secret") == std::string::npos);
  CHECK(v.reason.find("app") == std::string::npos);
  v = inline_script("REDISCLI_AUTH=Pw3secret redis-cli SLAVEOF no one");
  CHECK(v.kind == ScriptKind::redis_role);
  CHECK(v.password == "Pw3secret");
  CHECK(v.reason.find("Pw3secret") == std::string::npos);
  v = inline_script("#!/bin/sh\nexport REDISCLI_AUTH=Pw4secret\nredis-cli --user ops ping\n");
  CHECK(v.kind == ScriptKind::redis_check);
  CHECK(v.password == "Pw4secret");
  CHECK(v.user == "ops");
  v = inline_script("redis-cli -u redis://127.0.0.1:6390 ping");
  CHECK(v.port == 6390);
  CHECK_FALSE(v.password);
  v = inline_script("redis-cli -u redis://192.0.2.7:6379 ping");
  CHECK(v.kind == ScriptKind::other);  // another host's Redis
}
