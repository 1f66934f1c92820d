// `redkeep migrate` on the keepalived.conf files under tests/fixtures/migrate (the recipe's, and
// other shapes seen in the wild): each result is the directory's expected.conf (regenerated with
// REDKEEP_UPDATE_GOLDEN=1) and passes `check`.
#include "config/migrate.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "config/parser.hpp"

using namespace redkeep::config;

namespace {

const std::string kDir = std::string(REDKEEP_FIXTURES_DIR) + "/migrate";

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), {});
}

/// Reads the scripts of fixture directory `dir` (its scripts/ folder) as if installed in
/// /etc/keepalived/scripts (the path the files name).
ReadFile scripts_of(const std::string& dir) {
  return [dir](const std::string& path) -> std::optional<std::string> {
    const std::string installed = "/etc/keepalived/scripts/";
    if (path.rfind(installed, 0) != 0) return std::nullopt;
    return read_file(dir + "/scripts/" + path.substr(installed.size()));
  };
}

/// Migrates `name`/keepalived.conf with its scripts.
MigrateResult migrate_fixture(const std::string& name) {
  const std::string dir = kDir + "/" + name;
  const auto text = read_file(dir + "/keepalived.conf");
  REQUIRE(text);
  return migrate(*text, "keepalived.conf", scripts_of(dir));
}

std::string migrated(const std::string& name) {
  const auto result = migrate_fixture(name);
  CHECK(result.diagnostics.empty());
  return result.text;
}

}  // namespace

TEST_CASE("migrate: every fixture gives its expected configuration, which passes check",
          "[config][migrate]") {
  const bool update = std::getenv("REDKEEP_UPDATE_GOLDEN") != nullptr;
  int fixtures = 0;
  for (const auto& e : std::filesystem::directory_iterator(kDir)) {
    if (!std::filesystem::exists(e.path() / "keepalived.conf")) continue;
    ++fixtures;
    const std::string name = e.path().filename().string();
    const std::string text = migrated(name);
    const std::string expected_path = (e.path() / "expected.conf").string();
    if (update) std::ofstream(expected_path) << text;
    INFO(name << "\n" << text);
    CHECK(read_file(expected_path).value_or("") == text);
    const auto check = parse_text(text, name + "/expected.conf");
    for (const auto& d : check.diagnostics) INFO(d.to_string());
    CHECK(check.ok());
  }
  CHECK(fixtures >= 3);
}

TEST_CASE("migrate: the recipe's check script becomes the redis block with its timers",
          "[config][migrate]") {
  const auto text = migrated("recipe");
  auto result = parse_text(text, "recipe");
  REQUIRE(result.config);
  const auto& inst = result.config->instances.at(0);
  REQUIRE(inst.redis);
  CHECK(inst.redis->port == 6379);
  CHECK(inst.redis->check_interval == std::chrono::seconds(2));
  CHECK(inst.redis->check_timeout == std::chrono::seconds(2));
  CHECK(inst.redis->fall == 3);
  CHECK(inst.redis->rise == 1);
  CHECK(inst.track_script.empty());
  CHECK(inst.notify.empty());  // every notify script only switched Redis roles
  CHECK(result.config->scripts.empty());
  CHECK(inst.nopreempt);
  CHECK(inst.auth_pass.reveal() == "1111");
  CHECK(inst.virtual_ipaddress.at(0).to_string() == "192.0.2.100/24");
  CHECK(text.find("notify_master dropped: it only switches the local Redis's role") !=
        std::string::npos);
}

TEST_CASE("migrate: scripts that do more than check Redis are kept, with their weights",
          "[config][migrate]") {
  const auto text = migrated("weights");
  auto result = parse_text(text, "weights");
  REQUIRE(result.config);
  const auto& inst = result.config->instances.at(0);
  REQUIRE(inst.redis);  // check_redis.sh runs `timeout 1 redis-cli -p 6379 ping`
  CHECK(inst.redis->fall == 2);
  REQUIRE(inst.track_script.size() == 2);
  CHECK(inst.track_script[0].script.name == "chk_disk");
  CHECK(inst.track_script[0].weight == -50);  // the entry's weight
  CHECK(inst.track_script[1].script.name == "chk_sidecar");
  CHECK(inst.track_script[1].weight == 10);
  CHECK(inst.track_script[1].weight_reverse);
  REQUIRE(inst.notify.master);
  CHECK(inst.notify.master->command == "/etc/keepalived/scripts/page_oncall.sh MASTER");
  CHECK(inst.unicast_src_ip->to_string() == "192.0.2.21");  // from mcast_src_ip
  CHECK(text.find("check_sidecar.sh cannot be read, so what it does is unknown: kept") !=
        std::string::npos);
  CHECK(text.find("its weight -20 becomes FAULT") != std::string::npos);
  CHECK(text.find("not carried over: 'use_vmac'") != std::string::npos);
  CHECK(text.find("not carried over: 'virtual_server 192.0.2.170 6379'") != std::string::npos);
}

TEST_CASE("migrate: two instances with one-line checks get a redis block each, on their port",
          "[config][migrate]") {
  auto result = parse_text(migrated("two_instances_unicast"), "two");
  REQUIRE(result.config);
  REQUIRE(result.config->instances.size() == 2);
  CHECK(result.config->instances[0].redis->port == 6379);
  CHECK(result.config->instances[1].redis->port == 6380);
  CHECK(result.config->instances[1].redis->check_timeout == std::chrono::milliseconds(300));
  CHECK(result.config->instances[0].unicast_peer.size() == 2);
  CHECK(result.config->instances[0].notify.any);  // logger: kept
  CHECK_FALSE(result.config->instances[0].notify.master);
}

TEST_CASE("migrate: a keepalived.conf with a syntax error is reported", "[config][migrate]") {
  const auto result = migrate("vrrp_instance A {\n  interface eth0\n", "broken.conf",
                              [](const std::string&) { return std::nullopt; });
  CHECK_FALSE(result.diagnostics.empty());
}

TEST_CASE("migrate: the check script's Redis password goes to the redis block, nowhere else",
          "[config][migrate]") {
  const auto result = migrate(
      "vrrp_script chk {\n    script \"redis-cli -a Pw9secret -p 6380 ping\"\n}\n"
      "vrrp_instance A {\n    interface eth0\n    virtual_router_id 9\n"
      "    virtual_ipaddress {\n        192.0.2.9\n    }\n    track_script {\n        chk\n"
      "    }\n}\n",
      "k.conf", [](const std::string&) { return std::nullopt; });
  const auto first = result.text.find("Pw9secret");
  REQUIRE(first != std::string::npos);
  CHECK(result.text.find("Pw9secret", first + 1) == std::string::npos);
  auto parsed = parse_text(result.text, "k");
  REQUIRE(parsed.config);
  const auto& redis = parsed.config->instances.at(0).redis;
  REQUIRE(redis);
  CHECK(redis->port == 6380);
  REQUIRE(redis->password);
  CHECK(redis->password->reveal() == "Pw9secret");
}

TEST_CASE("migrate: global_defs script_user becomes the user of every script kept",
          "[config][migrate]") {
  const auto result = migrate(
      "global_defs {\n    script_user nobody nogroup\n}\n"
      "vrrp_script chk {\n    script /bin/true\n    weight -5\n}\n"
      "vrrp_script own {\n    script /bin/true\n    user daemon\n}\n"
      "vrrp_instance A {\n    interface eth0\n    virtual_router_id 9\n"
      "    virtual_ipaddress {\n        192.0.2.9\n    }\n    track_script {\n        chk\n"
      "        own\n    }\n    notify_master /usr/bin/logger\n}\n",
      "k.conf", [](const std::string&) { return std::nullopt; });
  auto parsed = parse_text(result.text, "k");
  INFO(result.text);
  REQUIRE(parsed.config);
  const auto& inst = parsed.config->instances.at(0);
  CHECK(inst.track_script.at(0).script.user == "nobody");
  CHECK(inst.track_script.at(0).script.group == "nogroup");
  CHECK(inst.track_script.at(1).script.user == "daemon");  // its own user stays
  REQUIRE(inst.notify.master);
  CHECK(inst.notify.master->user == "nobody");
}

TEST_CASE("migrate: an include says its file's content is missing from the output",
          "[config][migrate]") {
  const auto result = migrate("include /etc/keepalived/instances.conf\n", "k.conf",
                              [](const std::string&) { return std::nullopt; });
  CHECK(result.text.find("not carried over: 'include /etc/keepalived/instances.conf' (line 1): "
                         "what that file holds is not in this output") != std::string::npos);
}

TEST_CASE("migrate: an IPv6 recipe says peer_address is needed, and check refuses it until then",
          "[config][migrate]") {
  const std::string dir = kDir + "/recipe";
  auto text = read_file(dir + "/keepalived.conf");
  REQUIRE(text);
  const auto replace = [&](const std::string& from, const std::string& to) {
    const auto at = text->find(from);
    REQUIRE(at != std::string::npos);
    text->replace(at, from.size(), to);
  };
  replace("192.0.2.100/24", "fe80::55/64\n        2001:db8::100/64");
  replace("auth_type PASS\n        auth_pass 1111", "");
  const auto result = migrate(*text, "keepalived.conf", scripts_of(dir));
  INFO(result.text);
  CHECK(result.text.find("# migrate: an IPv6 instance: its adverts come from link-local "
                         "addresses, which REPLICAOF cannot use. List every node here as "
                         "`peer_address ADVERT_SOURCE REDIS_ADDRESS`") != std::string::npos);
  const auto check = parse_text(result.text, "migrated.conf");
  CHECK_FALSE(check.ok());
  bool refused = false;
  for (const auto& d : check.diagnostics)
    refused = refused || d.message.find("is IPv6 and manages Redis, but nothing says where the "
                                        "other nodes' Redis listen") != std::string::npos;
  CHECK(refused);
}
