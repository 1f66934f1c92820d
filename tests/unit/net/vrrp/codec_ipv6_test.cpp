// VRRPv3 over IPv6 (RFC 5798): receive_ipv6() takes the message and the IP fields a raw IPv6
// socket reports beside it. The checks are receive()'s, with the hop limit for the TTL and the
// IPv6 pseudo-header always in the checksum; the first virtual address is the link-local one.

#include <catch2/catch.hpp>

#include "net/vrrp/packet.hpp"
#include "net/vrrp/validate.hpp"
#include "tests/unit/net/vrrp/codec_test_helpers.hpp"

using namespace redkeep::net::vrrp;
using namespace redkeep::net::vrrp::test;
using redkeep::net::IpAddress;

namespace {

const IpAddress kSource = ip("fe80::1");  // the Master's link-local address
const IpAddress kGroup = ip("ff02::12");  // RFC 5798 section 5.1.2.2

/// Node B (fe80::2) of an IPv6 instance: VRID 55, link-local VIP first, then a global one.
Expectation expectation() {
  Expectation e;
  e.version = Version::v3;
  e.vrid = 55;
  e.adver_int_cs = 100;
  e.vips = {ip("fe80::100"), ip("2001:db8::100")};
  e.own_address = ip("fe80::2");
  return e;
}

Advert advert() {
  Advert a;
  a.version = Version::v3;
  a.vrid = 55;
  a.priority = 150;
  a.adver_int_cs = 100;
  a.addresses = {ip("fe80::100"), ip("2001:db8::100")};
  return a;
}

Bytes encoded(const Advert& a, const IpAddress& src = kSource, const IpAddress& dst = kGroup) {
  return std::get<Bytes>(encode(a, src, dst, ChecksumMode::v3_pseudo_header));
}

std::variant<ReceivedAdvert, RejectReason> receive6(const Bytes& m, std::uint8_t hop_limit = 255,
                                                    const Expectation& e = expectation(),
                                                    const IpAddress& src = kSource,
                                                    const IpAddress& dst = kGroup) {
  return receive_ipv6(m.data(), m.size(), src, dst, hop_limit, e);
}

RejectReason reason(const std::variant<ReceivedAdvert, RejectReason>& r) {
  REQUIRE(std::holds_alternative<RejectReason>(r));
  return std::get<RejectReason>(r);
}

}  // namespace

TEST_CASE("receive_ipv6 accepts a valid v3 advert with 16-byte addresses", "[vrrp][codec]") {
  const auto m = encoded(advert());
  CHECK(m.size() == 8 + 2 * 16);
  auto r = receive6(m);
  REQUIRE(std::holds_alternative<ReceivedAdvert>(r));
  const auto& got = std::get<ReceivedAdvert>(r);
  CHECK(got.source == kSource);
  CHECK(got.destination == kGroup);
  CHECK(got.ttl == 255);
  CHECK(got.advert.priority == 150);
  CHECK(got.advert.addresses == advert().addresses);  // wire order: link-local first
}

TEST_CASE("receive_ipv6 checks the hop limit like the TTL", "[vrrp][codec]") {
  const auto m = encoded(advert());
  CHECK(reason(receive6(m, 254)) == RejectReason::ttl);
  // Unicast peers may be routers away: the hop limit is checked for multicast only.
  auto e = expectation();
  e.unicast = true;
  e.unicast_peers = {ip("2001:db8::1")};
  const auto unicast = encoded(advert(), ip("2001:db8::1"), ip("2001:db8::2"));
  CHECK(std::holds_alternative<ReceivedAdvert>(
      receive6(unicast, 60, e, ip("2001:db8::1"), ip("2001:db8::2"))));
  CHECK(reason(receive6(m, 60, e)) == RejectReason::ttl);  // multicast still 255
}

TEST_CASE("receive_ipv6 sums the IPv6 pseudo-header whatever the checksum mode",
          "[vrrp][codec]") {
  const auto m = encoded(advert());
  // Another source or destination than the sender summed: the checksum no longer holds.
  CHECK(reason(receive6(m, 255, expectation(), ip("fe80::3"))) == RejectReason::checksum);
  CHECK(reason(receive6(m, 255, expectation(), kSource, ip("ff02::13"))) ==
        RejectReason::checksum);
  auto e = expectation();
  e.checksum_mode = ChecksumMode::v3_as_v2;  // an IPv4 setting: IPv6 always has the header
  CHECK(std::holds_alternative<ReceivedAdvert>(receive6(m, 255, e)));
  const auto as_v2 = encoded(advert());
  CHECK(std::get<Bytes>(encode(advert(), kSource, kGroup, ChecksumMode::v3_as_v2)) == as_v2);
}

TEST_CASE("receive_ipv6 refuses VRRPv2 and IPv4 fields", "[vrrp][codec]") {
  Advert v2 = advert();
  v2.version = Version::v2;
  CHECK(std::holds_alternative<EncodeError>(
      encode(v2, kSource, kGroup, ChecksumMode::v3_pseudo_header)));
  auto m = encoded(advert());
  m[0] = 0x21;  // version 2, type 1: an IPv6 instance expects v3 (RFC 7.1 order: the
                // version mismatch is found before v2-over-IPv6)
  CHECK(reason(receive6(m)) == RejectReason::version_mismatch);
  CHECK(reason(receive6(encoded(advert()), 255, expectation(), ip("192.0.2.1"))) ==
        RejectReason::ip_header);
}

TEST_CASE("receive_ipv6 checks VRID, own address and the address set", "[vrrp][codec]") {
  auto other = advert();
  other.vrid = 56;
  CHECK(reason(receive6(encoded(other))) == RejectReason::vrid);
  const auto own = ip("fe80::2");
  CHECK(reason(receive6(encoded(advert(), own), 255, expectation(), own)) ==
        RejectReason::own_address);
  auto missing = advert();
  missing.addresses = {ip("2001:db8::100")};  // the link-local VIP left out
  CHECK(reason(receive6(encoded(missing))) == RejectReason::address_list);
  auto reordered = advert();
  reordered.addresses = {ip("2001:db8::100"), ip("fe80::100")};
  CHECK(std::holds_alternative<ReceivedAdvert>(receive6(encoded(reordered))));
}

TEST_CASE("receive_ipv6 refuses a multicast advert from a global source, not a unicast peer's",
          "[vrrp][codec]") {
  const auto global = ip("2001:db8::50");
  CHECK(reason(receive6(encoded(advert(), global), 255, expectation(), global)) ==
        RejectReason::source_address);
  auto unicast = expectation();
  unicast.unicast = true;
  unicast.unicast_peers = {global};
  const auto to_us = ip("2001:db8::2");
  CHECK(std::holds_alternative<ReceivedAdvert>(
      receive6(encoded(advert(), global, to_us), 255, unicast, global, to_us)));
}

TEST_CASE("receive_ipv6 survives every truncation", "[vrrp][codec]") {
  const auto m = encoded(advert());
  for (std::size_t n = 0; n < m.size(); ++n) {
    const Bytes cut(m.begin(), m.begin() + static_cast<std::ptrdiff_t>(n));
    CHECK(std::holds_alternative<RejectReason>(receive6(cut)));
  }
}
