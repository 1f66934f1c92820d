// Table of broken configurations: each must be refused with the exact position and message.
#include <catch2/catch.hpp>

#include "config/parser.hpp"
#include "config_test_util.hpp"

using namespace redkeep::config;
using namespace redkeep::config::test;

namespace {

struct Broken {
  const char* what;
  std::string text;
  int line;
  int column;
  std::string phrase;  // part of the error message
};

std::string with_redis(const std::string& lines) {
  return instance("    redis {\n" + lines + "    }\n");
}
std::string with_auth(const std::string& lines) {
  return instance("    authentication {\n" + lines + "    }\n");
}

std::string repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

}  // namespace

TEST_CASE("a peer_address line that does not parse is the only error an IPv6 instance gets",
          "[config]") {
  const auto r = parse(instance_with("192.0.2.100/24", "fe80::55/64",
                                     "    redis {\n        peer_address fe80::11\n    }\n"));
  INFO(all_diagnostics(r));
  std::size_t errors = 0;
  for (const auto& d : r.diagnostics) errors += d.severity == Diagnostic::Severity::error;
  CHECK(errors == 1);
  CHECK(has_diagnostic(r, Diagnostic::Severity::error, "expected a node's advert source address"));
}

TEST_CASE("broken configurations are refused at FILE:LINE:COLUMN with the reason", "[config]") {
  const std::vector<Broken> cases = {
      {"typo in vrrp_instance", instance("    priorty 150\n"), 7, 5,
       "unknown keyword 'priorty' in vrrp_instance; did you mean 'priority'?"},
      {"typo in global_defs", "global_defs {\n    vrrp_versoin 3\n}\n" + instance(), 2, 5,
       "unknown keyword 'vrrp_versoin' in global_defs; did you mean 'vrrp_version'?"},
      {"typo at top level", "vrrp_instanse A {\n}\n" + instance(), 1, 1,
       "unknown keyword 'vrrp_instanse' in the top level; did you mean 'vrrp_instance'?"},
      {"typo in redis", with_redis("        fal 3\n"), 8, 9,
       "unknown keyword 'fal' in redis; did you mean 'fall'?"},
      {"typo in authentication", with_auth("        auth_typ PASS\n"), 8, 9,
       "did you mean 'auth_type'?"},
      {"unknown word far from any keyword", instance("    bananas\n"), 7, 5,
       "unknown keyword 'bananas' in vrrp_instance"},
      {"VRID not a number", instance_with("virtual_router_id 55", "virtual_router_id abc"), 3, 23,
       "expected a number from 1 to 255 for virtual_router_id, got 'abc'"},
      {"VRID 0", instance_with("virtual_router_id 55", "virtual_router_id 0"), 3, 23,
       "expected a number from 1 to 255 for virtual_router_id, got '0'"},
      {"VRID 256", instance_with("virtual_router_id 55", "virtual_router_id 256"), 3, 23,
       "expected a number from 1 to 255 for virtual_router_id, got '256'"},
      {"priority 0", instance("    priority 0\n"), 7, 14,
       "expected a number from 1 to 254 for priority, got '0'"},
      {"priority 255 (address owner)", instance("    priority 255\n"), 7, 14,
       "priority 255 is refused: 255 means the address owner"},
      {"priority negative", instance("    priority -5\n"), 7, 14,
       "expected a number from 1 to 254 for priority, got '-5'"},
      {"priority without a value", instance("    priority\n"), 7, 5,
       "expected a number from 1 to 254 after priority"},
      {"advert_int 0", instance("    advert_int 0\n"), 7, 16,
       "expected seconds from 0.01 to 255"},
      {"fractional advert_int with v2", instance("    advert_int 0.5\n"), 7, 16,
       "advert_int 0.5 is not a whole number of seconds: VRRPv2"},
      {"advert_int over v3 maximum", instance("    version 3\n    advert_int 41\n"), 8, 16,
       "advert_int 41 is over 40.95, the VRRPv3 maximum"},
      {"advert_int finer than centiseconds", instance("    advert_int 1.001\n"), 7, 16,
       "expected at most 2 decimals (centiseconds) for advert_int, got '1.001'"},
      {"preempt_delay over 1000", instance("    preempt_delay 1001\n"), 7, 19,
       "expected seconds from 0 to 1000 for preempt_delay, got '1001'"},
      {"state in lower case", instance("    state master\n"), 7, 11,
       "expected MASTER or BACKUP for state, got 'master'"},
      {"flag with an argument", instance("    nopreempt yes\n"), 7, 15,
       "unexpected 'yes' after nopreempt: expected the end of the line"},
      {"two values", instance("    priority 100 200\n"), 7, 18,
       "unexpected '200' after priority 100"},
      {"vrrp_version 4", "global_defs {\n    vrrp_version 4\n}\n" + instance(), 2, 18,
       "expected 2 or 3 for vrrp_version, got '4'"},
      {"missing interface", instance_with("    interface eth0\n", ""), 1, 1,
       "vrrp_instance A has no interface (required)"},
      {"missing virtual_router_id", instance_with("    virtual_router_id 55\n", ""), 1, 1,
       "vrrp_instance A has no virtual_router_id"},
      {"missing virtual_ipaddress",
       instance_with("    virtual_ipaddress {\n        192.0.2.100/24\n    }\n", ""), 1, 1,
       "vrrp_instance A has no virtual_ipaddress"},
      {"empty virtual_ipaddress", instance_with("        192.0.2.100/24\n", ""), 4, 5,
       "has no virtual_ipaddress"},
      {"instance without a name", "vrrp_instance {\n}\n" + instance(), 1, 1,
       "expected an instance name after vrrp_instance"},
      {"block keyword without a block", instance("    authentication\n"), 7, 5,
       "expected '{' after authentication"},
      {"duplicate VRID on one interface", instance() + renamed(instance(), "B"), 10, 5,
       "virtual_router_id 55 on interface eth0 is already used by vrrp_instance A at "
       "t.conf:3:5"},
      {"duplicate instance name", instance() + instance_with("55", "56"), 8, 1,
       "vrrp_instance name 'A' is already used at t.conf:1:1"},
      {"VIP not an address", instance_with("192.0.2.100/24", "192.0.2.x"), 5, 9,
       "expected an IPv4 or IPv6 address with an optional /prefix length in "
       "virtual_ipaddress, got '192.0.2.x'"},
      {"VIP prefix over 32", instance_with("192.0.2.100/24", "192.0.2.100/33"), 5, 9,
       "expected a prefix length from 8 to 32 after the IPv4 address 192.0.2.100, got '33'"},
      {"VIP loopback", instance_with("192.0.2.100/24", "127.0.0.5"), 5, 9,
       "cannot be a VIP: it is a loopback address"},
      {"VIP unspecified", instance_with("192.0.2.100/24", "0.0.0.0/24"), 5, 9,
       "cannot be a VIP: it is the unspecified address"},
      {"VIP broadcast", instance_with("192.0.2.100/24", "255.255.255.255"), 5, 9,
       "cannot be a VIP: it is the broadcast address"},
      {"more than 255 VIPs",
       instance_with("192.0.2.100/24", [] {
         std::string v;
         for (int i = 0; i < 256; ++i)
           v += "10.0." + std::to_string(i / 200) + "." + std::to_string(i % 200 + 1) + "\n";
         return v;
       }()),
       260, 1, "an advert carries at most 255"},
      {"metrics_listen without a port",
       "global_defs {\n    metrics_listen 192.0.2.11\n}\n" + instance(), 2, 20,
       "expected ADDRESS:PORT for metrics_listen"},
      {"control_socket too long",
       "global_defs {\n    control_socket /" + std::string(120, 'x') + "\n}\n" + instance(), 2, 20,
       "a unix socket path can have at most 107"},
      {"VIP prefix not a number", instance_with("192.0.2.100/24", "192.0.2.100/x"), 5, 9,
       "expected a prefix length from 8 to 32"},
      {"VIP options", instance_with("192.0.2.100/24", "192.0.2.100/24 dev eth0"), 5, 24,
       "'dev' options of virtual_ipaddress entries are not supported yet"},
      {"IPv6 VIP with version 2", instance_with("192.0.2.100/24", "2001:db8::1/64", "    version 2\n"),
       7, 5, "version 2 cannot carry vrrp_instance A: VRRPv2 (RFC 3768) is IPv4 only"},
      {"IPv6 VIP after an IPv4 one",
       instance_with("192.0.2.100/24", "192.0.2.100/24\n        2001:db8::1", "    version 3\n"),
       6, 9, "virtual_ipaddress 2001:db8::1/128 is IPv6 but vrrp_instance A is IPv4: an instance "
       "is one address family, as in keepalived"},
      {"IPv4 VIP after an IPv6 one",
       instance_with("192.0.2.100/24", "fe80::55/64\n        192.0.2.100"), 6, 9,
       "virtual_ipaddress 192.0.2.100/32 is IPv4 but vrrp_instance A is IPv6 (its first "
       "virtual_ipaddress is fe80::55)"},
      {"IPv6 unicast_peer in an IPv4 instance",
       instance("    unicast_peer {\n        2001:db8::12\n    }\n"), 8, 9,
       "unicast_peer 2001:db8::12 is IPv6 but vrrp_instance A is IPv4"},
      {"IPv6 unicast_src_ip in an IPv4 instance", instance("    unicast_src_ip 2001:db8::11\n"), 7,
       5, "unicast_src_ip 2001:db8::11 is IPv6 but vrrp_instance A is IPv4"},
      {"IPv4 unicast_peer in an IPv6 instance",
       instance_with("192.0.2.100/24", "fe80::55/64", "    unicast_peer {\n        192.0.2.12\n    }\n"),
       8, 9, "unicast_peer 192.0.2.12 is IPv4 but vrrp_instance A is IPv6"},
      {"IPv6 VIP prefix /48", instance_with("192.0.2.100/24", "2001:db8::100/48"), 5, 9,
       "virtual_ipaddress 2001:db8::100/48 cannot be a VIP: an IPv6 VIP's prefix length must be 64 "
       "to 128"},
      {"IPv6 loopback VIP", instance_with("192.0.2.100/24", "::1"), 5, 9,
       "virtual_ipaddress ::1/128 cannot be a VIP: it is the loopback address"},
      {"IPv6 unspecified VIP", instance_with("192.0.2.100/24", "::"), 5, 9,
       "virtual_ipaddress ::/128 cannot be a VIP: it is the unspecified address"},
      {"IPv4-mapped VIP", instance_with("192.0.2.100/24", "::ffff:192.0.2.100"), 5, 9,
       "it is an IPv4-mapped address"},
      {"IPv6 instance with Redis and no way to find the peers' Redis",
       instance_with("192.0.2.100/24", "fe80::55/64", "    redis {\n        port 6379\n    }\n"), 7, 5,
       "vrrp_instance A is IPv6 and manages Redis, but nothing says where the other nodes' Redis "
       "listen"},
      {"IPv6 unicast with a link-local unicast_src_ip and no peer_address",
       instance_with("192.0.2.100/24", "fe80::55/64",
                     "    unicast_src_ip fe80::11\n    unicast_peer {\n        2001:db8::12\n    }\n"
                     "    redis {\n    }\n"),
       11, 5, "nothing says where the other nodes' Redis listen"},
      {"IPv6 unicast peer link-local without its Redis address",
       instance_with("192.0.2.100/24", "fe80::55/64",
                     "    unicast_src_ip 2001:db8::11\n    unicast_peer {\n        fe80::12\n"
                     "        2001:db8::13\n    }\n    redis {\n    }\n"),
       9, 9, "unicast_peer fe80::12 is link-local, which REPLICAOF cannot use: give its Redis "
       "address in the redis block as `peer_address fe80::12 REDIS_ADDRESS`"},
      {"peer_address with a link-local Redis address",
       instance_with("192.0.2.100/24", "fe80::55/64",
                     "    redis {\n        peer_address fe80::11 fe80::11\n    }\n"),
       8, 22, "peer_address fe80::11 fe80::11: a link-local Redis address is valid on one "
       "interface only"},
      {"peer_address with an advert source of the other family",
       instance_with("192.0.2.100/24", "fe80::55/64",
                     "    redis {\n        peer_address 192.0.2.11 2001:db8::11\n    }\n"),
       8, 22, "peer_address 192.0.2.11 2001:db8::11: the advert source is IPv4 but vrrp_instance A "
       "is IPv6"},
      {"peer_address with a loopback Redis address",
       with_redis("        peer_address 192.0.2.11 127.0.0.1\n"), 8, 22,
       "127.0.0.1 cannot be a Redis address: it is a loopback address"},
      {"peer_address with one address", with_redis("        peer_address 192.0.2.11\n"), 8, 9,
       "expected a node's advert source address, then the address its Redis listens on"},
      {"peer_address not an address", with_redis("        peer_address 192.0.2.11 n1\n"), 8, 33,
       "expected an IPv4 or IPv6 address for peer_address, got 'n1'"},
      {"VIP prefix /0", instance_with("192.0.2.100/24", "192.0.2.100/0"), 5, 9,
       "virtual_ipaddress 192.0.2.100/0 cannot be a VIP: a VIP's prefix length must be 8 to 32"},
      {"VIP prefix /7", instance_with("192.0.2.100/24", "192.0.2.100/7"), 5, 9,
       "/7 would add an on-link route to 33554432 addresses, shadowing the default route"},
      {"VIP in 0.0.0.0/8", instance_with("192.0.2.100/24", "0.0.0.5/24"), 5, 9,
       "cannot be a VIP: it is in 0.0.0.0/8"},
      {"VIP in 240.0.0.0/4", instance_with("192.0.2.100/24", "240.0.0.5/24"), 5, 9,
       "cannot be a VIP: it is in 240.0.0.0/4 (reserved, RFC 1112)"},
      {"one VIP twice in an instance",
       instance_with("192.0.2.100/24", "192.0.2.100/24\n        192.0.2.100/32"), 6, 9,
       "virtual_ipaddress 192.0.2.100/32 is listed twice (first at 5:9)"},
      {"unicast_src_ip is a VIP",
       instance("    unicast_src_ip 192.0.2.100\n    unicast_peer {\n        192.0.2.12\n    }\n"),
       7, 5, "unicast_src_ip 192.0.2.100 is a VIP of this instance"},
      {"unicast_src_ip multicast", instance("    unicast_src_ip 224.0.0.18\n"), 7, 5,
       "unicast_src_ip 224.0.0.18 cannot be the source of adverts: it is a multicast address"},
      {"unicast_peer broadcast", instance("    unicast_peer {\n        255.255.255.255\n    }\n"),
       8, 9, "unicast_peer 255.255.255.255 cannot be a peer: it is the broadcast address"},
      {"unicast_peer loopback", instance("    unicast_peer {\n        127.0.0.1\n    }\n"), 8, 9,
       "unicast_peer 127.0.0.1 cannot be a peer: it is a loopback address"},
      {"unicast_peer is the node itself",
       instance("    unicast_src_ip 192.0.2.11\n    unicast_peer {\n        192.0.2.11\n    }\n"),
       9, 9, "unicast_peer 192.0.2.11 is this node's own unicast_src_ip"},
      {"unicast_peer is a VIP", instance("    unicast_peer {\n        192.0.2.100\n    }\n"), 8, 9,
       "unicast_peer 192.0.2.100 is a VIP of this instance"},
      {"unicast_peer twice",
       instance("    unicast_peer {\n        192.0.2.12\n        192.0.2.12\n    }\n"), 9, 9,
       "unicast_peer 192.0.2.12 is listed twice (first at 8:9)"},
      {"unicast_peer is another instance's VIP",
       instance() + renamed(with_vip(instance_with("55", "56",
                                                   "    unicast_peer {\n        192.0.2.100\n    }\n"),
                                     "192.0.2.101/24"),
                            "B"),
       15, 9, "unicast_peer 192.0.2.100 is a VIP of vrrp_instance A"},
      {"interface alias label", instance_with("interface eth0", "interface eth0:1"), 2, 15,
       "'eth0:1' is not a Linux interface name"},
      {"interface lo", instance_with("interface eth0", "interface lo"), 2, 15,
       "interface lo reaches no other node"},
      {"redis host with a port", with_redis("        host 127.0.0.1:6379\n"), 8, 14,
       "host takes an address or a name, not '127.0.0.1:6379': put the port in `port`"},
      {"one Redis as localhost and 127.0.0.1",
       instance("    redis {\n        host localhost\n    }\n") +
           renamed(with_vip(instance_with("55", "56", "    redis {\n    }\n"), "192.0.2.101/24"),
                   "B"),
       17, 5, "the redis block of vrrp_instance B names 127.0.0.1:6379"},
      {"VIP is the broadcast address of its prefix",
       instance_with("192.0.2.100/24", "192.0.2.255/24"), 5, 9,
       "cannot be a VIP: it is the broadcast address of its /24 network"},
      {"one Redis as ::1 and 0:0::1",
       instance("    redis {\n        host ::1\n    }\n") +
           renamed(with_vip(instance_with("55", "56", "    redis {\n        host 0:0::1\n    }\n"),
                            "192.0.2.101/24"),
                   "B"),
       17, 5, "the redis block of vrrp_instance B names [0:0::1]:6379, the Redis of vrrp_instance A"},
      {"redis host link-local", with_redis("        host fe80::21\n"), 8, 14,
       "host fe80::21: a link-local address is valid on one interface only"},
      {"redis host in brackets", with_redis("        host [::1]\n"), 8, 14,
       "write an IPv6 address without brackets (host ::1)"},
      {"redis host multicast", with_redis("        host ff02::1\n"), 8, 14,
       "host ff02::1 is a multicast address, not a Redis"},
      {"redis host a VIP", with_redis("        host 192.0.2.100\n"), 7, 5,
       "host 192.0.2.100 of vrrp_instance A is one of its VIPs"},
      {"metrics_listen link-local",
       "global_defs {\n    metrics_listen [fe80::21]:7590\n}\n" + instance(), 2, 20,
       "metrics_listen [fe80::21]:7590: a link-local address is valid on one interface only"},
      {"peer_address Redis address a VIP",
       with_redis("        peer_address 192.0.2.11 192.0.2.100\n"), 8, 22,
       "192.0.2.100 is a VIP of vrrp_instance A, not the address of one node's Redis"},
      {"peer_address: two nodes, one Redis",
       with_redis("        peer_address 192.0.2.12 198.51.100.12\n"
                  "        peer_address 192.0.2.13 198.51.100.12\n"),
       9, 22, "198.51.100.12 is already the Redis address of 192.0.2.12 (at 8:22)"},
      {"one VIP in two instances", instance() + renamed(instance_with("55", "56"), "B"), 12, 9,
       "virtual_ipaddress 192.0.2.100 is already a VIP of vrrp_instance A at t.conf:5:9"},
      {"one Redis in two instances",
       instance("    redis {\n    }\n") +
           renamed(with_vip(instance_with("55", "56", "    redis {\n    }\n"), "192.0.2.101/24"),
                   "B"),
       16, 5,
       "the redis block of vrrp_instance B names 127.0.0.1:6379, the Redis of vrrp_instance A "
       "at t.conf:7:5"},
      {"unicast_peer not an address", instance("    unicast_peer {\n        peer-b\n    }\n"), 8,
       9, "expected an IPv4 or IPv6 address for unicast_peer, got 'peer-b'"},
      {"unicast_src_ip not an address", instance("    unicast_src_ip 192.0.2.300\n"), 7, 20,
       "expected an IPv4 or IPv6 address for unicast_src_ip, got '192.0.2.300'"},
      {"unterminated brace", instance_with("\n}\n", "\n"), 1, 17,
       "'{' of 'vrrp_instance' block is never closed"},
      {"unterminated inner brace (indentation tells which)",
       instance_with("        192.0.2.100/24\n    }\n", "        192.0.2.100/24\n"), 4, 23,
       "'{' of 'virtual_ipaddress' block is never closed"},
      {"unterminated string", instance_with("interface eth0", "interface \"eth0"), 2, 15,
       "unterminated string: expected a closing '\"' on the same line"},
      {"stray closing brace", instance() + "}\n", 8, 1, "unexpected '}': no block is open here"},
      {"brace without keyword", "{\n}\n" + instance(), 1, 1,
       "unexpected '{': expected a keyword before it"},
      {"auth_type AH", with_auth("        auth_type AH\n"), 8, 19, "auth_type AH is not supported"},
      {"auth_type unknown", with_auth("        auth_type SECRET\n"), 8, 19,
       "expected PASS or AH for auth_type, got 'SECRET'"},
      {"vrrp_script without script", "vrrp_script chk {\n    interval 2\n}\n" + instance(), 1, 1,
       "vrrp_script chk has no script (the command to run)"},
      {"track_script of an unknown script",
       "vrrp_script chk_redis {\n    script /bin/true\n}\n" +
           instance("    track_script {\n        chk_rdis\n    }\n"),
       11, 9,
       "track_script names 'chk_rdis', which no vrrp_script defines; did you mean 'chk_redis'?"},
      {"track_script weight out of range",
       "vrrp_script chk {\n    script /bin/true\n}\n" +
           instance("    track_script {\n        chk weight 300\n    }\n"),
       11, 20, "expected a weight from -253 to 253 for weight, got '300'"},
      {"vrrp_script weight option", "vrrp_script chk {\n    script /bin/true\n    weight 5 up\n}\n" + instance(), 3, 14,
       "unexpected 'up' after weight 5: expected 'reverse' or the end of the line"},
      {"notify_master with too many words", instance("    notify_master /x.sh root root x\n"), 7, 35,
       "unexpected 'x' after notify_master"},
      {"vrrp_sync_group", "vrrp_sync_group G {\n    group {\n        A\n    }\n}\n" + instance(),
       1, 1, "'vrrp_sync_group' is not supported yet"},
      {"use_vmac", instance("    use_vmac\n"), 7, 5, "'use_vmac' is not supported yet"},
      {"global_defs keyword not implemented",
       "global_defs {\n    vrrp_strict\n}\n" + instance(), 2, 5,
       "'vrrp_strict' is not supported yet"},
      {"include", "include /etc/keepalived/other.conf\n" + instance(), 1, 1,
       "'include' is not supported yet"},
      {"password and password_file",
       with_redis("        password \"x\"\n        password_file /etc/p\n"), 9, 9,
       "password and password_file are mutually exclusive"},
      {"user without password", with_redis("        user redkeep\n"), 8, 9,
       "user needs password or password_file"},
      {"check_timeout 0", with_redis("        check_timeout 0\n"), 8, 23,
       "expected seconds from 0.001 to 3600 for check_timeout, got '0'"},
      {"port not a number", with_redis("        port redis\n"), 8, 14,
       "expected a number from 1 to 65535 for port, got 'redis'"},
      {"second redis block", instance("    redis {\n    }\n    redis {\n    }\n"), 9, 5,
       "a second redis block in vrrp_instance A; the first is at 7:5"},
      {"blocks nested too deeply", instance() + "vrrp_instance B " + repeat("{ x ", 40), 8, 145,
       "blocks nested too deeply (more than 32 levels)"},
      {"interface name too long", instance_with("interface eth0", "interface eth0123456789abcd"),
       2, 15, "at most 15 bytes (IFNAMSIZ)"},
  };
  REQUIRE(cases.size() >= 30);
  for (const Broken& c : cases) {
    INFO(c.what << "\n" << c.text);
    const LoadResult r = parse(c.text);
    INFO(all_diagnostics(r));
    CHECK_FALSE(r.ok());
    CHECK_FALSE(r.config);
    bool found = false;
    for (const Diagnostic& d : r.diagnostics) {
      if (d.is_error() && d.line == c.line && d.column == c.column &&
          d.message.find(c.phrase) != std::string::npos) {
        found = true;
        CHECK(d.to_string() == "t.conf:" + std::to_string(c.line) + ":" +
                                   std::to_string(c.column) + ": error: " + d.message);
      }
    }
    CHECK(found);
  }
}

TEST_CASE("a file without vrrp_instance is an error without position", "[config]") {
  const LoadResult r = parse("global_defs {\n    router_id x\n}\n");
  REQUIRE(r.diagnostics.size() == 1);
  CHECK(r.diagnostics[0].to_string() ==
        "t.conf: error: no vrrp_instance block: there is nothing to run");
}

TEST_CASE("every error of a file is reported, not just the first", "[config]") {
  const LoadResult r =
      parse(instance("    priorty 150\n    advert_int x\n    state MASTR\n") +
            renamed(with_vip(instance_with("virtual_router_id 55", "virtual_router_id 300"),
                             "192.0.2.101/24"),
                    "B"));
  int errors = 0;
  for (const Diagnostic& d : r.diagnostics) errors += d.is_error();
  INFO(all_diagnostics(r));
  CHECK(errors == 4);
  // In file order.
  CHECK(r.diagnostics.front().line == 7);
  CHECK(r.diagnostics.back().line == 13);
}

TEST_CASE("no cascade of errors after an unterminated brace", "[config]") {
  // The missing '}' makes everything after it part of virtual_ipaddress: only the brace is
  // reported, not 'redis' as a bad address nor the instance as incomplete.
  const LoadResult r = parse(
      instance_with("        192.0.2.100/24\n    }\n", "        192.0.2.100/24\n",
                    "    priority 100\n    redis {\n        port 1\n    }\n"));
  INFO(all_diagnostics(r));
  REQUIRE(r.diagnostics.size() == 1);
  CHECK(r.diagnostics[0].line == 4);
  CHECK(r.diagnostics[0].column == 23);
}

TEST_CASE("missing, unreadable and empty files: FILE: error: message", "[config]") {
  CHECK(load_file("/nonexistent/redkeep.conf").diagnostics.at(0).to_string() ==
        "/nonexistent/redkeep.conf: error: cannot open: No such file or directory");
  // Tests run as root, which reads any mode-000 file: a directory is unreadable as a file.
  const std::string dir = REDKEEP_FIXTURES_DIR "/config";
  const LoadResult d = load_file(dir);
  CHECK_FALSE(d.ok());
  CHECK(d.diagnostics.at(0).to_string() ==
        dir + ": error: cannot read: is a directory, not a configuration file");
  const LoadResult e = parse("  # only a comment\n\n");
  CHECK_FALSE(e.ok());
  REQUIRE(e.diagnostics.size() == 1);
  CHECK(e.diagnostics[0].to_string() == "t.conf: error: empty file: no configuration in it");
}
