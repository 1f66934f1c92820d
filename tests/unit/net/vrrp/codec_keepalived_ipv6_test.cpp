// VRRPv3-over-IPv6 adverts captured off Debian's keepalived 2.2.7 (tests/fixtures/vrrp/keepalived/
// keepalived-v3-ipv6-*, made by tests/fixtures/vrrp/capture-keepalived-ipv6.sh). Each file holds
// the IPv6 header and the VRRP message; a raw IPv6 socket would give the message alone and the
// header's fields beside it, which is what receive_ipv6() takes. Each advert is accepted for the
// keepalived configuration that produced it, decoded field by field, and re-encoded to the same
// bytes (the checksum over the IPv6 pseudo-header included).

#include <catch2/catch.hpp>
#include <string>

#include "net/vrrp/packet.hpp"
#include "net/vrrp/validate.hpp"
#include "tests/unit/net/vrrp/codec_test_helpers.hpp"

using namespace redkeep::net::vrrp;
using namespace redkeep::net::vrrp::test;
using redkeep::net::IpAddress;

namespace {

struct Captured {
  const char* file;
  const char* source;
  const char* destination;
  std::uint8_t hop_limit;
  std::uint8_t vrid;
  std::uint8_t priority;
  std::uint16_t adver_int_cs;
  std::uint16_t checksum;
  std::vector<const char*> addresses;  // as configured: the link-local VIP first
};

const std::vector<Captured>& captured() {
  static const std::vector<Captured> all = {
      {"keepalived-v3-ipv6-vrid60-prio150.hex", "fe80::1", "ff02::12", 255, 60, 150, 100, 0x0d34,
       {"fe80::60", "2001:db8::60"}},
      {"keepalived-v3-ipv6-vrid60-prio0.hex", "fe80::1", "ff02::12", 255, 60, 0, 100, 0xa334,
       {"fe80::60", "2001:db8::60"}},
      {"keepalived-v3-ipv6-vrid61-prio100.hex", "fe80::1", "ff02::12", 255, 61, 100, 50, 0x1038,
       {"fe80::61", "2001:db8::61", "2001:db8::161"}},
      {"keepalived-v3-ipv6-vrid61-prio0.hex", "fe80::1", "ff02::12", 255, 61, 0, 50, 0x7438,
       {"fe80::61", "2001:db8::61", "2001:db8::161"}},
      // Unicast: keepalived leaves the kernel's hop limit (64), as RFC 5798 does not allow;
      // receive_ipv6() checks the hop limit of multicast adverts only, as keepalived does.
      {"keepalived-v3-ipv6-vrid62-prio120.hex", "2001:db8::1", "2001:db8::2", 64, 62, 120, 100,
       0xcc43, {"2001:db8::62"}},
      {"keepalived-v3-ipv6-vrid62-prio0.hex", "2001:db8::1", "2001:db8::2", 64, 62, 0, 100, 0x4444,
       {"2001:db8::62"}},
  };
  return all;
}

}  // namespace

TEST_CASE("keepalived 2.2.7 IPv6 adverts are accepted, decode field by field and re-encode",
          "[vrrp][codec]") {
  for (const auto& c : captured()) {
    INFO(c.file);
    const Bytes packet = read_hex_fixture(std::string("vrrp/keepalived/") + c.file);
    REQUIRE(packet.size() > 40);
    REQUIRE(packet[0] >> 4 == 6);
    CHECK(packet[6] == 112);  // next header: VRRP
    CHECK(packet[7] == c.hop_limit);
    const IpAddress source = IpAddress::v6(&packet[8]);
    const IpAddress destination = IpAddress::v6(&packet[24]);
    CHECK(source == ip(c.source));
    CHECK(destination == ip(c.destination));
    const Bytes message(packet.begin() + 40, packet.end());
    CHECK(static_cast<std::size_t>(packet[4] << 8 | packet[5]) == message.size());

    Expectation e;
    e.version = Version::v3;
    e.vrid = c.vrid;
    e.adver_int_cs = c.adver_int_cs;
    for (const char* a : c.addresses) e.vips.push_back(ip(a));
    e.own_address = ip("fe80::2");
    e.unicast = !destination.is_multicast();
    if (e.unicast) e.unicast_peers = {ip(c.source)};
    auto r = receive_ipv6(message.data(), message.size(), source, destination, packet[7], e);
    if (auto* reason = std::get_if<RejectReason>(&r)) FAIL("rejected: " << to_string(*reason));
    const Advert& a = std::get<ReceivedAdvert>(r).advert;
    CHECK(a.version == Version::v3);
    CHECK(a.vrid == c.vrid);
    CHECK(a.priority == c.priority);
    CHECK(a.adver_int_cs == c.adver_int_cs);
    CHECK(a.addresses == e.vips);  // the order keepalived sends: as configured
    CHECK((message[6] << 8 | message[7]) == c.checksum);

    for (const auto mode : {ChecksumMode::v3_pseudo_header, ChecksumMode::v3_as_v2}) {
      auto again = encode(a, source, destination, mode);
      REQUIRE(std::holds_alternative<Bytes>(again));
      CHECK(to_hex(std::get<Bytes>(again)) == to_hex(message));
    }
  }
}
