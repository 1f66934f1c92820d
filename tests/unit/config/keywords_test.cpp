// Every keyword, every default, every range boundary of the configuration language.
#include <catch2/catch.hpp>

#include "config/parser.hpp"
#include "config_test_util.hpp"

using namespace redkeep::config;
using namespace redkeep::config::test;
using namespace std::chrono_literals;
using redkeep::net::IpAddress;

TEST_CASE("every keyword is parsed into its field", "[config]") {
  const std::string text = R"(# comment
global_defs {
    router_id "node a"      ! keepalived's other comment style
    vrrp_version 3
    control_socket /tmp/rk.sock
    state_file /tmp/rk.json
    metrics_listen 192.0.2.11:9470
}
vrrp_instance HARedis {
    state MASTER
    interface eth1
    virtual_router_id 42
    priority 200
    advert_int 0.25
    version 2
    version 3
    virtual_ipaddress {
        192.0.2.100/24
        192.0.2.101
    }
    unicast_src_ip 192.0.2.11
    unicast_peer {
        192.0.2.12
        192.0.2.13
    }
    v3_checksum_as_v2
    garp_master_delay 7
    garp_master_repeat 3
    garp_master_refresh 60
    garp_master_refresh_repeat 2
    redis {
        host 192.0.2.11
        port 6380
        user redkeep
        password "s e c"
        check_interval 0.5
        check_timeout 0.25
        fall 4
        rise 5
        min_replicas_to_write 1
        min_replicas_max_lag 2
    }
}
vrrp_instance Second {
    interface eth1
    virtual_router_id 43
    nopreempt
    preempt_delay 2.5
    version 2
    authentication {
        auth_type PASS
        auth_pass abcd
    }
    virtual_ipaddress { 192.0.2.102/24 }
    redis {
        password_file /etc/redkeep/redis.pass
    }
}
)";
  const LoadResult r = parse(text);
  INFO(all_diagnostics(r));
  REQUIRE(r.ok());
  const Config& c = *r.config;
  CHECK(c.global.router_id == std::optional<std::string>("node a"));
  CHECK(c.global.vrrp_version == VrrpVersion::v3);
  CHECK(c.global.control_socket == "/tmp/rk.sock");
  CHECK(c.global.state_file == "/tmp/rk.json");
  REQUIRE(c.global.metrics_listen.has_value());
  CHECK(c.global.metrics_listen->to_string() == "192.0.2.11:9470");
  REQUIRE(c.instances.size() == 2);

  const VrrpInstance& a = c.instances[0];
  CHECK(a.name == "HARedis");
  CHECK(a.state == InitialState::master);
  CHECK(a.interface == "eth1");
  CHECK(a.virtual_router_id == 42);
  CHECK(a.priority == 200);
  CHECK(a.advert_int_cs == 25);
  CHECK(a.version == VrrpVersion::v3);
  REQUIRE(a.virtual_ipaddress.size() == 2);
  CHECK(a.virtual_ipaddress[0].to_string() == "192.0.2.100/24");
  CHECK(a.virtual_ipaddress[1].to_string() == "192.0.2.101/32");  // no /LEN = /32
  CHECK(a.unicast_src_ip == IpAddress::parse("192.0.2.11"));
  REQUIRE(a.unicast_peer.size() == 2);
  CHECK(a.unicast_peer[1] == *IpAddress::parse("192.0.2.13"));
  CHECK(a.v3_checksum_as_v2);
  CHECK(a.garp_master_delay == 7s);
  CHECK(a.garp_master_repeat == 3);
  CHECK(a.garp_master_refresh == 60s);
  CHECK(a.garp_master_refresh_repeat == 2);
  REQUIRE(a.redis);
  CHECK(a.redis->host == "192.0.2.11");
  CHECK(a.redis->port == 6380);
  CHECK(a.redis->user == std::optional<std::string>("redkeep"));
  REQUIRE(a.redis->password);
  CHECK(a.redis->password->reveal() == "s e c");
  CHECK_FALSE(a.redis->password_file);
  CHECK(a.redis->check_interval == 500ms);
  CHECK(a.redis->check_timeout == 250ms);
  CHECK(a.redis->fall == 4);
  CHECK(a.redis->rise == 5);
  CHECK(a.redis->min_replicas_to_write == std::optional<unsigned>(1));
  CHECK(a.redis->min_replicas_max_lag == 2);

  const VrrpInstance& b = c.instances[1];
  CHECK(b.state == InitialState::backup);
  CHECK(b.nopreempt);
  CHECK(b.preempt_delay == 2500ms);
  CHECK(b.version == VrrpVersion::v2);  // instance version overrides global vrrp_version
  CHECK(b.auth_type == AuthType::pass);
  CHECK(b.auth_pass.reveal() == "abcd");
  REQUIRE(b.redis);
  CHECK(b.redis->password_file == std::optional<std::string>("/etc/redkeep/redis.pass"));
  CHECK_FALSE(b.redis->password);
  // `version` given twice: a warning, the last one wins (as keepalived).
  CHECK(has_diagnostic(r, Diagnostic::Severity::warning, "'version' is set again"));
}

TEST_CASE("defaults are keepalived's and the documented redkeep ones", "[config]") {
  const LoadResult r = parse(instance("    redis {\n    }\n"));
  INFO(all_diagnostics(r));
  REQUIRE(r.ok());
  CHECK(r.diagnostics.empty());
  const Config& c = *r.config;
  CHECK_FALSE(c.global.router_id);
  CHECK(c.global.vrrp_version == VrrpVersion::v2);
  CHECK(c.global.control_socket == "/run/redkeep/redkeep.sock");
  CHECK(c.global.state_file == "/var/lib/redkeep/state.json");
  const VrrpInstance& i = c.instances.at(0);
  CHECK(i.state == InitialState::backup);
  CHECK(i.priority == 100);
  CHECK_FALSE(i.nopreempt);
  CHECK(i.preempt_delay == 0ms);
  CHECK(i.advert_int_cs == 100);
  CHECK(i.version == VrrpVersion::v2);
  CHECK(i.auth_type == AuthType::none);
  CHECK(i.auth_pass.empty());
  CHECK_FALSE(i.unicast_src_ip);
  CHECK(i.unicast_peer.empty());
  CHECK_FALSE(i.v3_checksum_as_v2);
  CHECK(i.garp_master_delay == 5s);
  CHECK(i.garp_master_repeat == 5);
  CHECK(i.garp_master_refresh == 0s);
  CHECK(i.garp_master_refresh_repeat == 1);
  REQUIRE(i.redis);
  CHECK(i.redis->host == "127.0.0.1");
  CHECK(i.redis->port == 6379);
  CHECK_FALSE(i.redis->password);
  CHECK_FALSE(i.redis->password_file);
  CHECK_FALSE(i.redis->user);
  CHECK(i.redis->check_interval == 1000ms);
  CHECK(i.redis->check_timeout == 1000ms);
  CHECK(i.redis->fall == 3);
  CHECK(i.redis->rise == 2);
  CHECK_FALSE(i.redis->min_replicas_to_write);  // not managed unless asked (Redis: off)
  CHECK(i.redis->min_replicas_max_lag == 10);
}

TEST_CASE("without a redis block an instance is plain VRRP", "[config]") {
  const LoadResult r = parse(instance());
  REQUIRE(r.ok());
  CHECK_FALSE(r.config->instances.at(0).redis);
}

TEST_CASE("global vrrp_version applies to instances without version", "[config]") {
  const LoadResult r = parse("global_defs {\n    vrrp_version 3\n}\n" +
                             instance("    advert_int 0.05\n"));
  INFO(all_diagnostics(r));
  REQUIRE(r.ok());
  CHECK(r.config->instances.at(0).version == VrrpVersion::v3);
  CHECK(r.config->instances.at(0).advert_int_cs == 5);
}

namespace {

struct Boundary {
  std::string line;  // inserted into the instance (or replaces part of it, see below)
  bool accepted;
};

bool accepted(const std::string& text) { return parse(text).ok(); }

}  // namespace

TEST_CASE("range boundaries of vrrp_instance keywords, both sides", "[config]") {
  const std::vector<Boundary> cases = {
      {"    priority 1\n", true},         {"    priority 254\n", true},
      {"    priority 0\n", false},        {"    priority 255\n", false},
      {"    preempt_delay 0\n", true},    {"    preempt_delay 1000\n", true},
      {"    preempt_delay 1000.001\n", false}, {"    preempt_delay -1\n", false},
      {"    advert_int 1\n", true},       {"    advert_int 255\n", true},
      {"    advert_int 0\n", false},      {"    advert_int 256\n", false},
      {"    version 3\n    advert_int 0.01\n", true},
      {"    version 3\n    advert_int 40.95\n", true},
      {"    version 3\n    advert_int 0\n", false},
      {"    version 3\n    advert_int 40.96\n", false},
      {"    version 2\n", true},          {"    version 3\n", true},
      {"    version 1\n", false},         {"    version 4\n", false},
      {"    garp_master_delay 0\n", true}, {"    garp_master_delay 3600\n", true},
      {"    garp_master_delay 3601\n", false}, {"    garp_master_delay 1.5\n", false},
      {"    garp_master_repeat 1\n", true}, {"    garp_master_repeat 1000\n", true},
      {"    garp_master_repeat 1001\n", false},
      {"    garp_master_refresh 0\n", true}, {"    garp_master_refresh 86400\n", true},
      {"    garp_master_refresh 86401\n", false},
      {"    garp_master_refresh_repeat 1\n", true},
      {"    garp_master_refresh_repeat 1000\n", true},
      {"    garp_master_refresh_repeat 1001\n", false},
      {"    redis {\n        port 1\n    }\n", true},
      {"    redis {\n        port 65535\n    }\n", true},
      {"    redis {\n        port 0\n    }\n", false},
      {"    redis {\n        port 65536\n    }\n", false},
      {"    redis {\n        check_interval 0.001\n    }\n", true},
      {"    redis {\n        check_interval 3600\n    }\n", true},
      {"    redis {\n        check_interval 0\n    }\n", false},
      {"    redis {\n        check_interval 3600.001\n    }\n", false},
      {"    redis {\n        check_timeout 0.001\n    }\n", true},
      {"    redis {\n        check_timeout 3600\n    }\n", true},
      {"    redis {\n        check_timeout 0\n    }\n", false},
      {"    redis {\n        check_timeout 3600.001\n    }\n", false},
      {"    redis {\n        fall 1\n        rise 1\n    }\n", true},
      {"    redis {\n        fall 1000\n        rise 1000\n    }\n", true},
      {"    redis {\n        fall 0\n    }\n", false},
      {"    redis {\n        fall 1001\n    }\n", false},
      {"    redis {\n        rise 0\n    }\n", false},
      {"    redis {\n        rise 1001\n    }\n", false},
      {"    redis {\n        min_replicas_to_write 0\n    }\n", true},
      {"    redis {\n        min_replicas_to_write 1000\n    }\n", true},
      {"    redis {\n        min_replicas_to_write 1001\n    }\n", false},
      {"    redis {\n        min_replicas_to_write -1\n    }\n", false},
      {"    redis {\n        min_replicas_to_write 1\n        min_replicas_max_lag 1\n    }\n",
       true},
      {"    redis {\n        min_replicas_to_write 1\n        min_replicas_max_lag 3600\n"
       "    }\n", true},
      {"    redis {\n        min_replicas_to_write 1\n        min_replicas_max_lag 0\n    }\n",
       false},
      {"    redis {\n        min_replicas_to_write 1\n        min_replicas_max_lag 3601\n"
       "    }\n", false},
      {"    redis {\n        min_replicas_to_write 1\n        min_replicas_max_lag 1.5\n"
       "    }\n", false},
  };
  for (const Boundary& b : cases) {
    INFO(b.line);
    CHECK(accepted(instance(b.line)) == b.accepted);
  }
}

TEST_CASE("range boundaries of virtual_router_id, prefix length and interface", "[config]") {
  CHECK(accepted(instance_with("virtual_router_id 55", "virtual_router_id 1")));
  CHECK(accepted(instance_with("virtual_router_id 55", "virtual_router_id 255")));
  CHECK_FALSE(accepted(instance_with("virtual_router_id 55", "virtual_router_id 0")));
  CHECK_FALSE(accepted(instance_with("virtual_router_id 55", "virtual_router_id 256")));
  CHECK_FALSE(accepted(instance_with("192.0.2.100/24", "192.0.2.100/0")));
  CHECK_FALSE(accepted(instance_with("192.0.2.100/24", "192.0.2.100/7")));
  CHECK(accepted(instance_with("192.0.2.100/24", "192.0.2.100/8")));
  CHECK(accepted(instance_with("192.0.2.100/24", "192.0.2.100/31")));
  CHECK(accepted(instance_with("192.0.2.100/24", "192.0.2.100/32")));
  CHECK_FALSE(accepted(instance_with("192.0.2.100/24", "192.0.2.100/33")));
  CHECK(accepted(instance_with("interface eth0", "interface abcdefghijklmno")));    // 15
  CHECK_FALSE(accepted(instance_with("interface eth0", "interface abcdefghijklmnop")));  // 16
  CHECK(accepted("global_defs {\n    vrrp_version 2\n}\n" + instance()));
  CHECK(accepted("global_defs {\n    vrrp_version 3\n}\n" + instance()));
  CHECK_FALSE(accepted("global_defs {\n    vrrp_version 1\n}\n" + instance()));
  CHECK_FALSE(accepted("global_defs {\n    vrrp_version 4\n}\n" + instance()));
}

TEST_CASE("auth_pass over 8 bytes is truncated with a warning, as keepalived", "[config]") {
  const auto with_pass = [](const std::string& pass) {
    return parse(instance("    authentication {\n        auth_type PASS\n        auth_pass " +
                          pass + "\n    }\n"));
  };
  const LoadResult eight = with_pass("12345678");
  REQUIRE(eight.ok());
  CHECK(eight.diagnostics.empty());
  CHECK(eight.config->instances[0].auth_pass.reveal() == "12345678");

  const LoadResult nine = with_pass("123456789");
  REQUIRE(nine.ok());
  CHECK(nine.config->instances[0].auth_pass.reveal() == "12345678");
  REQUIRE(nine.diagnostics.size() == 1);
  CHECK(nine.diagnostics[0].to_string() ==
        "t.conf:9:19: warning: auth_pass is longer than 8 bytes; only its first 8 bytes are "
        "used, as keepalived does");
}

TEST_CASE("keepalived's warnings: v3 authentication, nopreempt with MASTER, repeat 0",
          "[config]") {
  SECTION("version 3 ignores authentication") {
    const LoadResult r = parse(instance(
        "    version 3\n    authentication {\n        auth_type PASS\n        auth_pass x\n"
        "    }\n"));
    REQUIRE(r.ok());
    CHECK(r.config->instances[0].auth_type == AuthType::none);
    CHECK(r.config->instances[0].auth_pass.empty());
    REQUIRE(r.diagnostics.size() == 1);
    CHECK(r.diagnostics[0].to_string().rfind("t.conf:8:5: warning: VRRPv3 has no authentication",
                                             0) == 0);
  }
  SECTION("nopreempt and preempt_delay only with state BACKUP") {
    const LoadResult r =
        parse(instance("    state MASTER\n    nopreempt\n    preempt_delay 10\n"));
    REQUIRE(r.ok());
    CHECK_FALSE(r.config->instances[0].nopreempt);
    CHECK(r.config->instances[0].preempt_delay == 0ms);
    REQUIRE(r.diagnostics.size() == 2);
    CHECK(r.diagnostics[0].to_string().rfind(
              "t.conf:8:5: warning: nopreempt only works with state BACKUP", 0) == 0);
    CHECK(r.diagnostics[1].to_string().rfind(
              "t.conf:9:5: warning: preempt_delay only works with state BACKUP", 0) == 0);
  }
  SECTION("garp_master_repeat 0 is taken as 1") {
    const LoadResult r = parse(instance("    garp_master_repeat 0\n"));
    REQUIRE(r.ok());
    CHECK(r.config->instances[0].garp_master_repeat == 1);
    CHECK(has_diagnostic(r, Diagnostic::Severity::warning, "taken as 1"));
  }
  SECTION("min_replicas_max_lag without min_replicas_to_write changes nothing") {
    const LoadResult r = parse(instance("    redis {\n        min_replicas_max_lag 3\n    }\n"));
    REQUIRE(r.ok());
    CHECK_FALSE(r.config->instances[0].redis->min_replicas_to_write);
    REQUIRE(r.diagnostics.size() == 1);
    CHECK(r.diagnostics[0].to_string().rfind(
              "t.conf:8:9: warning: min_replicas_max_lag has no effect without "
              "min_replicas_to_write", 0) == 0);
  }
  SECTION("auth_type PASS without auth_pass runs without authentication") {
    const LoadResult r =
        parse(instance("    authentication {\n        auth_type PASS\n    }\n"));
    REQUIRE(r.ok());
    CHECK(r.config->instances[0].auth_type == AuthType::none);
    CHECK(has_diagnostic(r, Diagnostic::Severity::warning, "without auth_pass"));
  }
}

TEST_CASE("several instances with distinct VRIDs per interface are accepted", "[config]") {
  const std::string other_vrid =
      instance_with("virtual_router_id 55", "virtual_router_id 56");
  std::string b = other_vrid;
  b.replace(b.find("vrrp_instance A"), 15, "vrrp_instance B");
  b = with_vip(b, "192.0.2.101/24");
  std::string c = instance_with("interface eth0", "interface eth1");  // same VRID, other link
  c.replace(c.find("vrrp_instance A"), 15, "vrrp_instance C");
  c = with_vip(c, "192.0.2.102/24");
  const LoadResult r = parse(instance() + b + c);
  INFO(all_diagnostics(r));
  REQUIRE(r.ok());
  CHECK(r.config->instances.size() == 3);
}

TEST_CASE("comments, quoted strings and braces on one line", "[config]") {
  const LoadResult r = parse(
      "vrrp_instance \"A B\" { interface eth0 # trailing\n"
      "virtual_router_id 9 ! other comment\n"
      "virtual_ipaddress { 192.0.2.1/24 192.0.2.2 }\n"
      "}");
  INFO(all_diagnostics(r));
  REQUIRE(r.ok());
  const VrrpInstance& i = r.config->instances.at(0);
  CHECK(i.name == "A B");
  CHECK(i.virtual_router_id == 9);
  CHECK(i.virtual_ipaddress.size() == 2);
}

TEST_CASE("metrics_listen takes ADDRESS:PORT, IPv6 in brackets", "[config]") {
  using redkeep::config::parse_listen_address;
  CHECK(parse_listen_address("127.0.0.1:9470")->port == 9470);
  CHECK(parse_listen_address("[2001:db8::1]:9470")->to_string() == "[2001:db8::1]:9470");
  for (const char* bad : {"127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536",
                          "127.0.0.1:94x", ":9470", "2001:db8::1:9470", "[127.0.0.1]:9470",
                          "[]:9470", "host.example:9470", "[2001:db8::1:9470"}) {
    INFO(bad);
    CHECK_FALSE(parse_listen_address(bad).has_value());
  }
}
