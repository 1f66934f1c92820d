// receive(): one test per RejectReason, the accepted special cases (priority 255 with another
// address list, priority 0) and the check order of RFC 3768 / RFC 5798 section 7.1.

#include <catch2/catch.hpp>
#include <cstring>
#include <random>
#include <set>
#include <string>

#include "net/vrrp/packet.hpp"
#include "net/vrrp/validate.hpp"
#include "tests/unit/net/vrrp/codec_test_helpers.hpp"

using namespace redkeep::net::vrrp;
using namespace redkeep::net::vrrp::test;
using redkeep::net::IpAddress;

namespace {

const std::array<std::uint8_t, 8> kSecret = {'s', 'e', 'c', 'r', 'e', 't', '1', '2'};

/// The seed recipe's instance as seen by node B (192.0.2.2): v2, VRID 55, PASS, 1 s, one VIP.
Expectation v2_expectation() {
  Expectation e;
  e.version = Version::v2;
  e.vrid = 55;
  e.auth_type = AuthType::simple_text;
  e.auth_pass = kSecret;
  e.adver_int_cs = 100;
  e.vips = {ip("192.0.2.100")};
  e.own_address = ip("192.0.2.2");
  return e;
}

/// The advert node A (192.0.2.1) sends for that instance.
Advert v2_advert() {
  Advert a;
  a.version = Version::v2;
  a.vrid = 55;
  a.priority = 150;
  a.adver_int_cs = 100;
  a.auth_type = AuthType::simple_text;
  a.auth_data = kSecret;
  a.addresses = {ip("192.0.2.100")};
  return a;
}

Expectation v3_expectation() {
  Expectation e = v2_expectation();
  e.version = Version::v3;
  e.auth_type = AuthType::none;
  return e;
}

Advert v3_advert() {
  Advert a = v2_advert();
  a.version = Version::v3;
  a.auth_type = AuthType::none;
  a.auth_data = {};
  return a;
}

Bytes message_of(const Advert& a, const char* src = "192.0.2.1", const char* dst = "224.0.0.18",
                 ChecksumMode mode = ChecksumMode::v3_pseudo_header) {
  auto r = encode(a, ip(src), ip(dst), mode);
  REQUIRE(std::holds_alternative<Bytes>(r));
  return std::get<Bytes>(r);
}

Bytes packet_of(const Advert& a, const char* src = "192.0.2.1", const char* dst = "224.0.0.18",
                std::uint8_t ttl = 255) {
  return ipv4_wrap(message_of(a, src, dst), ip(src), ip(dst), ttl);
}

/// Recomputes the VRRP checksum of a hand-modified message so only the intended field is wrong.
void refresh_checksum(Bytes& m, Version v, const char* src = "192.0.2.1",
                      const char* dst = "224.0.0.18") {
  const auto c = vrrp_checksum(m.data(), m.size(), v, ChecksumMode::v3_pseudo_header, ip(src),
                               ip(dst));
  m[6] = static_cast<std::uint8_t>(c >> 8);
  m[7] = static_cast<std::uint8_t>(c);
}

std::string outcome(const Bytes& packet, const Expectation& e) {
  auto r = receive(packet.data(), packet.size(), e);
  if (auto* reason = std::get_if<RejectReason>(&r)) return to_string(*reason);
  return "accepted";
}

}  // namespace

TEST_CASE("receive accepts a valid v2 PASS and a valid v3 advert", "[vrrp][codec]") {
  auto r = receive(packet_of(v2_advert()).data(), packet_of(v2_advert()).size(), v2_expectation());
  REQUIRE(std::holds_alternative<ReceivedAdvert>(r));
  const auto& got = std::get<ReceivedAdvert>(r);
  CHECK(got.source == ip("192.0.2.1"));
  CHECK(got.destination == ip("224.0.0.18"));
  CHECK(got.ttl == 255);
  CHECK(got.advert.priority == 150);
  CHECK(outcome(packet_of(v3_advert()), v3_expectation()) == "accepted");
}

TEST_CASE("receive rejects malformed IPv4 headers as ip_header", "[vrrp][codec]") {
  const Bytes good = packet_of(v2_advert());
  const auto e = v2_expectation();
  CHECK(outcome(Bytes(good.begin(), good.begin() + 19), e) == "ip_header");
  CHECK(outcome(Bytes{}, e) == "ip_header");
  CHECK(receive(nullptr, 0, e).index() == 1);
  Bytes v6 = good;
  v6[0] = 0x65;  // version 6
  CHECK(outcome(v6, e) == "ip_header");
  Bytes short_ihl = good;
  short_ihl[0] = 0x44;  // IHL 16 bytes
  CHECK(outcome(short_ihl, e) == "ip_header");
  Bytes long_ihl = good;
  long_ihl[0] = 0x4f;  // IHL 60 bytes > 40-byte buffer
  CHECK(outcome(long_ihl, e) == "ip_header");
  Bytes total_below_ihl = good;
  total_below_ihl[2] = 0;
  total_below_ihl[3] = 19;
  CHECK(outcome(total_below_ihl, e) == "ip_header");
  CHECK(outcome(ipv4_wrap(message_of(v2_advert()), ip("192.0.2.1"), ip("224.0.0.18"), 255, {},
                          17),
                e) == "ip_header");
}

TEST_CASE("receive handles IPv4 options (IHL > 5)", "[vrrp][codec]") {
  // Router Alert (RFC 2113): 94 04 0000, then a 4-byte NOP/EOL pad: IHL 7.
  const Bytes p = ipv4_wrap(message_of(v2_advert()), ip("192.0.2.1"), ip("224.0.0.18"), 255,
                            from_hex("94040000 01010100"));
  CHECK(p[0] == 0x47);
  auto r = receive(p.data(), p.size(), v2_expectation());
  REQUIRE(std::holds_alternative<ReceivedAdvert>(r));
  CHECK(std::get<ReceivedAdvert>(r).advert.addresses == v2_advert().addresses);
}

TEST_CASE("receive rejects truncated, padded and miscounted packets as length",
          "[vrrp][codec]") {
  const auto e = v2_expectation();
  const Bytes good = packet_of(v2_advert());
  // Total length says 40, the buffer holds 39: never read past it.
  CHECK(outcome(Bytes(good.begin(), good.end() - 1), e) == "length");
  Bytes padded = good;
  padded.push_back(0);
  CHECK(outcome(padded, e) == "length");
  // IPv4 header alone, then a VRRP message shorter than its 8-byte fixed header.
  CHECK(outcome(ipv4_wrap({}, ip("192.0.2.1"), ip("224.0.0.18")), e) == "length");
  CHECK(outcome(ipv4_wrap(from_hex("213796"), ip("192.0.2.1"), ip("224.0.0.18")), e) ==
        "length");
  // Count says 2 addresses, the message carries 1 (+ auth data): count vs length.
  Bytes m = message_of(v2_advert());
  m[3] = 2;
  refresh_checksum(m, Version::v2);
  CHECK(outcome(ipv4_wrap(m, ip("192.0.2.1"), ip("224.0.0.18")), e) == "length");
  // Over-long: trailing bytes after the authentication data.
  Bytes longer = message_of(v2_advert());
  longer.insert(longer.end(), {0, 0, 0, 0});
  refresh_checksum(longer, Version::v2);
  CHECK(outcome(ipv4_wrap(longer, ip("192.0.2.1"), ip("224.0.0.18")), e) == "length");
  // v2 without its 8 authentication bytes (a v3-sized message with version 2).
  Bytes no_auth = message_of(v2_advert());
  no_auth.resize(no_auth.size() - 8);
  refresh_checksum(no_auth, Version::v2);
  CHECK(outcome(ipv4_wrap(no_auth, ip("192.0.2.1"), ip("224.0.0.18")), e) == "length");
}

TEST_CASE("receive checks TTL 255 for multicast, not in unicast mode", "[vrrp][codec]") {
  auto e = v2_expectation();
  CHECK(outcome(packet_of(v2_advert(), "192.0.2.1", "224.0.0.18", 254), e) == "ttl");
  // Not in unicast mode: a unicast-addressed advert still needs 255 (RFC 3768 7.1).
  CHECK(outcome(packet_of(v2_advert(), "192.0.2.1", "192.0.2.2", 64), e) == "ttl");
  e.unicast = true;
  e.unicast_peers = {ip("192.0.2.1")};
  // Unicast adverts may cross routers: any TTL.
  CHECK(outcome(packet_of(v2_advert(), "192.0.2.1", "192.0.2.2", 64), e) == "accepted");
  CHECK(outcome(packet_of(v2_advert(), "192.0.2.1", "224.0.0.18", 1), e) == "ttl");
}

TEST_CASE("receive rejects unknown versions and the other version", "[vrrp][codec]") {
  Bytes m = message_of(v2_advert());
  m[0] = 0x41;  // version 4
  refresh_checksum(m, Version::v2);
  CHECK(outcome(ipv4_wrap(m, ip("192.0.2.1"), ip("224.0.0.18")), v2_expectation()) ==
        "version");
  m[0] = 0x11;  // version 1
  CHECK(outcome(ipv4_wrap(m, ip("192.0.2.1"), ip("224.0.0.18")), v2_expectation()) ==
        "version");
  CHECK(outcome(packet_of(v3_advert()), v2_expectation()) == "version_mismatch");
  CHECK(outcome(packet_of(v2_advert()), v3_expectation()) == "version_mismatch");
}

TEST_CASE("receive rejects a bad checksum", "[vrrp][codec]") {
  Bytes p = packet_of(v2_advert());
  p[20 + 11] ^= 0x01;  // last byte of the VIP: 192.0.2.101
  CHECK(outcome(p, v2_expectation()) == "checksum");
  // v3: a packet checksummed with the pseudo-header, received by a v3_checksum_as_v2 instance.
  auto e = v3_expectation();
  e.checksum_mode = ChecksumMode::v3_as_v2;
  CHECK(outcome(packet_of(v3_advert()), e) == "checksum");
  const Bytes as_v2 = ipv4_wrap(message_of(v3_advert(), "192.0.2.1", "224.0.0.18",
                                           ChecksumMode::v3_as_v2),
                                ip("192.0.2.1"), ip("224.0.0.18"));
  CHECK(outcome(as_v2, e) == "accepted");
  CHECK(outcome(as_v2, v3_expectation()) == "checksum");
}

TEST_CASE("receive rejects a type other than ADVERTISEMENT", "[vrrp][codec]") {
  Bytes m = message_of(v2_advert());
  m[0] = 0x22;
  refresh_checksum(m, Version::v2);
  CHECK(outcome(ipv4_wrap(m, ip("192.0.2.1"), ip("224.0.0.18")), v2_expectation()) == "type");
}

TEST_CASE("receive reports another VRID as vrid", "[vrrp][codec]") {
  Advert a = v2_advert();
  a.vrid = 56;
  CHECK(outcome(packet_of(a), v2_expectation()) == "vrid");
  // VRID comes before authentication: other routers' passwords are not our business.
  a.auth_data[0] = 'X';
  CHECK(outcome(packet_of(a), v2_expectation()) == "vrid");
}

TEST_CASE("receive drops our own looped-back advert", "[vrrp][codec]") {
  CHECK(outcome(packet_of(v2_advert(), "192.0.2.2"), v2_expectation()) == "own_address");
}

TEST_CASE("receive in unicast mode accepts only unicast_peer sources", "[vrrp][codec]") {
  auto e = v2_expectation();
  e.unicast = true;
  e.unicast_peers = {ip("192.0.2.1"), ip("192.0.2.4")};
  CHECK(outcome(packet_of(v2_advert(), "192.0.2.3", "192.0.2.2"), e) == "unicast_peer");
  CHECK(outcome(packet_of(v2_advert(), "192.0.2.4", "192.0.2.2"), e) == "accepted");
}

TEST_CASE("receive checks v2 auth type and password", "[vrrp][codec]") {
  Advert none = v2_advert();
  none.auth_type = AuthType::none;
  CHECK(outcome(packet_of(none), v2_expectation()) == "auth_type");
  auto e_none = v2_expectation();
  e_none.auth_type = AuthType::none;
  CHECK(outcome(packet_of(v2_advert()), e_none) == "auth_type");
  CHECK(outcome(packet_of(none), e_none) == "accepted");
  auto e_ah = v2_expectation();
  e_ah.auth_type = AuthType::ip_ah;
  Advert ah = v2_advert();
  ah.auth_type = AuthType::ip_ah;
  CHECK(outcome(packet_of(ah), e_ah) == "auth_type");  // AH not supported

  for (std::size_t i = 0; i < 8; ++i) {
    Advert bad = v2_advert();
    bad.auth_data[i] ^= 0x20;
    INFO("byte " << i);
    CHECK(outcome(packet_of(bad), v2_expectation()) == "auth_password");
  }
  // v3 has no authentication: a v3 instance configured with PASS still accepts.
  auto e3 = v3_expectation();
  e3.auth_type = AuthType::simple_text;
  e3.auth_pass = kSecret;
  CHECK(outcome(packet_of(v3_advert()), e3) == "accepted");
}

TEST_CASE("constant_time_equal compares all bytes", "[vrrp][codec]") {
  const std::uint8_t a[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  std::uint8_t b[8];
  std::memcpy(b, a, 8);
  CHECK(constant_time_equal(a, b, 8));
  b[7] = 0;
  CHECK_FALSE(constant_time_equal(a, b, 8));
  CHECK(constant_time_equal(a, b, 7));
}

TEST_CASE("receive checks the v2 advert interval, not the v3 one", "[vrrp][codec]") {
  Advert slow = v2_advert();
  slow.adver_int_cs = 200;
  CHECK(outcome(packet_of(slow), v2_expectation()) == "interval");
  Advert v3 = v3_advert();
  v3.adver_int_cs = 50;  // v3 backups learn the master's interval (RFC 5798 6.4.2)
  CHECK(outcome(packet_of(v3), v3_expectation()) == "accepted");
}

TEST_CASE("receive checks the address list unless the sender's priority is 255",
          "[vrrp][codec]") {
  auto e = v2_expectation();
  e.vips = {ip("192.0.2.100"), ip("192.0.2.101")};
  Advert a = v2_advert();
  a.addresses = {ip("192.0.2.100")};
  CHECK(outcome(packet_of(a), e) == "address_list");  // count differs
  a.addresses = {ip("192.0.2.100"), ip("192.0.2.102")};
  CHECK(outcome(packet_of(a), e) == "address_list");  // same count, other address
  a.addresses = {ip("192.0.2.101"), ip("192.0.2.100")};
  CHECK(outcome(packet_of(a), e) == "accepted");  // order does not matter
  a.addresses = {ip("192.0.2.100"), ip("192.0.2.100")};
  CHECK(outcome(packet_of(a), e) == "address_list");  // duplicates are not the set

  Advert owner = v2_advert();
  owner.priority = 255;
  owner.addresses = {ip("192.0.2.200")};
  CHECK(outcome(packet_of(owner), e) == "accepted");  // RFC 3768 7.1: the owner is believed
  Advert v3_owner = v3_advert();
  v3_owner.priority = 255;
  v3_owner.addresses = {ip("192.0.2.200")};
  CHECK(outcome(packet_of(v3_owner), v3_expectation()) == "accepted");
  Advert v3_other = v3_owner;
  v3_other.priority = 254;
  CHECK(outcome(packet_of(v3_other), v3_expectation()) == "address_list");
}

TEST_CASE("receive accepts priority 0 (master resigning)", "[vrrp][codec]") {
  Advert resign = v2_advert();
  resign.priority = 0;
  auto r = receive(packet_of(resign).data(), packet_of(resign).size(), v2_expectation());
  REQUIRE(std::holds_alternative<ReceivedAdvert>(r));
  CHECK(std::get<ReceivedAdvert>(r).advert.priority == 0);
}

TEST_CASE("receive checks in RFC 7.1 order", "[vrrp][codec]") {
  // TTL before checksum, checksum before VRID, VRID before password.
  Bytes p = packet_of(v2_advert(), "192.0.2.1", "224.0.0.18", 1);
  p[20 + 11] ^= 1;
  CHECK(outcome(p, v2_expectation()) == "ttl");
  Advert other = v2_advert();
  other.vrid = 1;
  Bytes q = packet_of(other);
  q[20 + 11] ^= 1;
  CHECK(outcome(q, v2_expectation()) == "checksum");
  // version mismatch before length: a truncated v3 packet for a v2 instance.
  Bytes m = message_of(v3_advert());
  m.resize(9);
  CHECK(outcome(ipv4_wrap(m, ip("192.0.2.1"), ip("224.0.0.18")), v2_expectation()) ==
        "version_mismatch");
}

TEST_CASE("RejectReason names are distinct snake_case", "[vrrp][codec]") {
  std::set<std::string> names;
  for (std::size_t i = 0; i < kRejectReasonCount; ++i) {
    const std::string n = to_string(static_cast<RejectReason>(i));
    CHECK(n != "unknown");
    CHECK(n.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") == std::string::npos);
    names.insert(n);
  }
  CHECK(names.size() == kRejectReasonCount);
  CHECK(std::string(to_string(RejectReason::address_list)) == "address_list");
  CHECK(std::string(to_string(static_cast<RejectReason>(200))) == "unknown");
}

TEST_CASE("receive survives every truncation and random corruption", "[vrrp][codec]") {
  // Each prefix lives in its own exactly-sized heap buffer so ASan catches any overread.
  const auto e = v2_expectation();
  for (const Bytes& good : {packet_of(v2_advert()), packet_of(v3_advert())}) {
    for (std::size_t n = 0; n < good.size(); ++n) {
      const Bytes prefix(good.begin(), good.begin() + n);
      CHECK(receive(prefix.data(), prefix.size(), e).index() == 1);
    }
  }
  std::mt19937 rng(12345);
  const Bytes base = packet_of(v2_advert());
  for (int round = 0; round < 2000; ++round) {
    Bytes p = base;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < flips; ++i) p[rng() % p.size()] = static_cast<std::uint8_t>(rng());
    p.resize(rng() % (p.size() + 8));
    (void)receive(p.data(), p.size(), e);
    (void)decode(p.data(), p.size(), ChecksumMode::v3_as_v2);
  }
  SUCCEED("no crash");
}
