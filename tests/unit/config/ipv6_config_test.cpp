// IPv6 instances in the configuration: one family per instance, VRRPv3, the link-local first
// VIP, and where the peers' Redis listen (peer_address).
#include <catch2/catch.hpp>

#include "config/parser.hpp"
#include "config/print.hpp"
#include "config_test_util.hpp"

using namespace redkeep::config;
using namespace redkeep::config::test;
using redkeep::net::IpAddress;

namespace {

// An IPv6 instance of a three-node cluster whose adverts come from fe80::11..13.
std::string ipv6_instance(const std::string& vips = "fe80::55/64\n        2001:db8::100/64",
                          const std::string& extra = "") {
  return "vrrp_instance V6 {\n"
         "    interface eth0\n"
         "    virtual_router_id 55\n"
         "    virtual_ipaddress {\n"
         "        " + vips + "\n"
         "    }\n" + extra +
         "    redis {\n"
         "        host ::1\n"
         "        peer_address fe80::11 2001:db8::11\n"
         "        peer_address fe80::12 2001:db8::12\n"
         "        peer_address fe80::13 2001:db8::13\n"
         "    }\n"
         "}\n";
}

}  // namespace

TEST_CASE("an IPv6 instance is VRRPv3 and keeps its peers' Redis addresses", "[config]") {
  // global_defs asks for version 2: an IPv6 instance is version 3 all the same (keepalived).
  const LoadResult r = parse("global_defs {\n    vrrp_version 2\n}\n" + ipv6_instance());
  INFO(all_diagnostics(r));
  REQUIRE(r.ok());
  CHECK(r.diagnostics.empty());
  const VrrpInstance& inst = r.config->instances.at(0);
  CHECK(inst.version == VrrpVersion::v3);
  CHECK(inst.virtual_ipaddress.at(0).address == *IpAddress::parse("fe80::55"));
  CHECK(inst.virtual_ipaddress.at(1).prefix_length == 64);
  REQUIRE(inst.redis);
  CHECK(inst.redis->host == "::1");
  CHECK(inst.redis->peer_address.size() == 3);
  CHECK(inst.redis->peer_address.at(*IpAddress::parse("fe80::12")) ==
        *IpAddress::parse("2001:db8::12"));
  // The printed configuration reads back the same.
  const std::string printed = format_effective(*r.config);
  CHECK(printed.find("        peer_address fe80::12 2001:db8::12\n") != std::string::npos);
  const LoadResult again = parse(printed);
  INFO(printed);
  REQUIRE(again.ok());
  CHECK(again.config->instances.at(0).redis->peer_address == inst.redis->peer_address);
}

TEST_CASE("an IPv6 instance whose first VIP is not link-local draws a warning", "[config]") {
  const LoadResult r = parse(ipv6_instance("2001:db8::100/64\n        fe80::55/64"));
  INFO(all_diagnostics(r));
  REQUIRE(r.ok());
  CHECK(has_diagnostic(r, Diagnostic::Severity::warning,
                       "the first virtual_ipaddress of IPv6 vrrp_instance V6 is not link-local: "
                       "RFC 5798 section 5.2.9"));
  CHECK(has_diagnostic(r, Diagnostic::Severity::warning, "e.g. fe80::55/64"));
}

TEST_CASE("an IPv4 and an IPv6 instance side by side, with the same VRID on one link",
          "[config]") {
  const LoadResult r = parse(instance() + ipv6_instance());
  INFO(all_diagnostics(r));
  REQUIRE(r.ok());
  CHECK(r.config->instances.size() == 2);
  CHECK(r.config->instances.at(0).version == VrrpVersion::v2);
}

TEST_CASE("IPv6 unicast with global addresses needs no peer_address", "[config]") {
  const std::string text =
      "vrrp_instance V6 {\n"
      "    interface eth0\n"
      "    virtual_router_id 55\n"
      "    unicast_src_ip 2001:db8::11\n"
      "    unicast_peer {\n        2001:db8::12\n        2001:db8::13\n    }\n"
      "    virtual_ipaddress {\n        fe80::55/64\n        2001:db8::100/64\n    }\n"
      "    redis {\n        port 6379\n    }\n"
      "}\n";
  const LoadResult r = parse(text);
  INFO(all_diagnostics(r));
  REQUIRE(r.ok());
  CHECK(r.config->instances.at(0).unicast_peer.size() == 2);
}

TEST_CASE("peer_address also serves an IPv4 instance (Redis on another network)", "[config]") {
  const LoadResult r =
      parse(instance("    redis {\n        peer_address 192.0.2.12 198.51.100.12\n    }\n"));
  INFO(all_diagnostics(r));
  REQUIRE(r.ok());
  CHECK(r.config->instances.at(0).redis->peer_address.at(*IpAddress::parse("192.0.2.12")) ==
        *IpAddress::parse("198.51.100.12"));
}

TEST_CASE("peer_address given twice for one source: the last wins, with a warning",
          "[config]") {
  const LoadResult r = parse(instance(
      "    redis {\n        peer_address 192.0.2.12 192.0.2.22\n"
      "        peer_address 192.0.2.12 192.0.2.32\n    }\n"));
  INFO(all_diagnostics(r));
  REQUIRE(r.ok());
  CHECK(has_diagnostic(r, Diagnostic::Severity::warning,
                       "peer_address 192.0.2.12 is given again; this Redis address replaces "
                       "the other"));
  CHECK(r.config->instances.at(0).redis->peer_address.at(*IpAddress::parse("192.0.2.12")) ==
        *IpAddress::parse("192.0.2.32"));
}
