// An IPv6 instance's Redis follows the Master's Redis address (peer_address), never its
// link-local advert source, which REPLICAOF cannot use (RFC 5798 section 5.1.2.1).
#include <catch2/catch.hpp>

#include "scenario.hpp"

using namespace redkeep;
using namespace redkeep::test;
using net::vrrp::State;

namespace {

/// The recipe's instance over IPv6: VRRPv3, link-local VIP first, and the Redis addresses of
/// the nodes whose adverts come from fe80::11 and fe80::12.
config::VrrpInstance ipv6_instance(std::uint8_t priority, bool master = false) {
  auto in = recipe_instance(priority, master);
  in.version = config::VrrpVersion::v3;
  in.virtual_ipaddress = {{ip("fe80::51"), 64}, {ip("2001:db8::100"), 64}};
  in.redis->peer_address = {{ip("fe80::11"), ip("2001:db8::11")},
                            {ip("fe80::12"), ip("2001:db8::12")}};
  return in;
}

bool replica_of(const core::RoleCommand& c, const char* address) {
  return c.master && *c.master == ip(address);
}

}  // namespace

TEST_CASE("an IPv6 Backup makes its Redis a replica of the Master's peer_address",
          "[core][ipv6]") {
  CoreDriver d(ipv6_instance(100), "fe80::11");
  d.feed(core::Wired{true, true, true, true});
  d.hear("fe80::12", 150);
  REQUIRE(d.state() == State::backup);
  REQUIRE(d.last_role());
  CHECK(replica_of(*d.last_role(), "2001:db8::12"));
  // Synced with it: a replica of 2001:db8::12 is where the election wants it, nothing more.
  d.clear();
  d.report(redis_replica("2001:db8::12"));
  CHECK(d.all<core::RoleCommand>().empty());
}

TEST_CASE("an IPv6 Backup does not follow a Master whose Redis address is unknown, and says so",
          "[core][ipv6]") {
  CoreDriver d(ipv6_instance(100), "fe80::11");
  d.feed(core::Wired{true, true, true, true});
  d.hear("fe80::99", 150);
  REQUIRE(d.state() == State::backup);
  for (const auto& r : d.all<core::RoleCommand>()) CHECK_FALSE(r.master);
  const auto warnings = d.logs(core::LogKind::config_warning);
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].find("fe80::99, which has no peer_address entry") != std::string::npos);
}

TEST_CASE("a stopping IPv6 Master demotes its Redis to the new Master's peer_address",
          "[core][ipv6]") {
  CoreDriver d(ipv6_instance(150, true), "fe80::11");
  d.feed(core::Wired{true, true, true, true});
  d.report(redis_master());
  d.advance(10ms);
  REQUIRE(d.state() == State::master);
  d.clear();
  d.feed(core::Stop{});
  d.hear("fe80::12", 100);
  const auto demote = d.index_of<core::RoleCommand>(
      [](const core::RoleCommand& c) { return replica_of(c, "2001:db8::12"); });
  CHECK(demote >= 0);
}
