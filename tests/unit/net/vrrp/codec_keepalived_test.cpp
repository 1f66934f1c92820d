// Adverts captured off Debian's keepalived 2.2.7 (tests/fixtures/vrrp/keepalived/, made by
// tests/fixtures/vrrp/capture-keepalived.sh): each is decoded field by field against the
// keepalived configuration that produced it, then re-encoded to the same bytes.

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
  const char* destination;
  Version version;
  std::uint8_t vrid;
  std::uint8_t priority;
  std::uint16_t adver_int_cs;
  AuthType auth_type;
  const char* password;  // 8 bytes as sent (zero-padded)
  std::uint16_t checksum;
  std::vector<const char*> addresses;
};

const std::vector<Captured>& captured() {
  static const std::vector<Captured> all = {
      {"keepalived-v2-vrid55-prio150.hex", "224.0.0.18", Version::v2, 55, 150, 100,
       AuthType::simple_text, "secret12", 0x17e3, {"192.0.2.100"}},
      {"keepalived-v2-vrid55-prio0.hex", "224.0.0.18", Version::v2, 55, 0, 100,
       AuthType::simple_text, "secret12", 0xade3, {"192.0.2.100"}},
      {"keepalived-v2-vrid57-prio100.hex", "224.0.0.18", Version::v2, 57, 100, 200,
       AuthType::none, "", 0x338d, {"192.0.2.101", "192.0.2.102", "192.0.2.103"}},
      {"keepalived-v2-vrid57-prio0.hex", "224.0.0.18", Version::v2, 57, 0, 200, AuthType::none,
       "", 0x978d, {"192.0.2.101", "192.0.2.102", "192.0.2.103"}},
      {"keepalived-v2-vrid59-prio110.hex", "192.0.2.2", Version::v2, 59, 110, 100,
       AuthType::none, "", 0xae3f, {"192.0.2.130"}},
      {"keepalived-v2-vrid59-prio0.hex", "192.0.2.2", Version::v2, 59, 0, 100, AuthType::none,
       "", 0x1c40, {"192.0.2.130"}},
      {"keepalived-v3-vrid56-prio200.hex", "224.0.0.18", Version::v3, 56, 200, 100,
       AuthType::none, "", 0xdeed, {"192.0.2.110", "192.0.2.111"}},
      {"keepalived-v3-vrid56-prio0.hex", "224.0.0.18", Version::v3, 56, 0, 100, AuthType::none,
       "", 0xa6ee, {"192.0.2.110", "192.0.2.111"}},
      {"keepalived-v3-vrid58-prio120.hex", "224.0.0.18", Version::v3, 58, 120, 50,
       AuthType::none, "", 0xf188, {"192.0.2.120"}},
      {"keepalived-v3-vrid58-prio0.hex", "224.0.0.18", Version::v3, 58, 0, 50, AuthType::none,
       "", 0x6989, {"192.0.2.120"}},
  };
  return all;
}

std::array<std::uint8_t, 8> pass8(const char* text) {
  std::array<std::uint8_t, 8> out{};
  for (std::size_t i = 0; i < 8 && text[i]; ++i) out[i] = static_cast<std::uint8_t>(text[i]);
  return out;
}

}  // namespace

TEST_CASE("keepalived 2.2.7 adverts decode field by field and re-encode identically",
          "[vrrp][codec]") {
  for (const auto& c : captured()) {
    INFO(c.file);
    const Bytes packet = read_hex_fixture(std::string("vrrp/keepalived/") + c.file);
    // keepalived builds a plain 20-byte IPv4 header (IP_HDRINCL).
    REQUIRE(packet.size() > 20);
    const Bytes message(packet.begin() + 20, packet.end());

    auto r = decode(packet.data(), packet.size(), ChecksumMode::v3_pseudo_header);
    if (auto* reason = std::get_if<RejectReason>(&r)) FAIL("rejected: " << to_string(*reason));
    const ReceivedAdvert& got = std::get<ReceivedAdvert>(r);
    CHECK(got.source == ip("192.0.2.1"));
    CHECK(got.destination == ip(c.destination));
    CHECK(got.ttl == 255);
    const Advert& a = got.advert;
    CHECK(a.version == c.version);
    CHECK((message[0] & 0x0f) == 1);  // type ADVERTISEMENT
    CHECK(a.vrid == c.vrid);
    CHECK(a.priority == c.priority);
    CHECK(message[3] == c.addresses.size());  // Count IPvX Addr
    CHECK(a.adver_int_cs == c.adver_int_cs);
    CHECK(a.auth_type == c.auth_type);
    CHECK(a.auth_data == pass8(c.password));
    const std::uint16_t stored = static_cast<std::uint16_t>(message[6] << 8 | message[7]);
    CHECK(stored == c.checksum);
    CHECK(vrrp_checksum(message.data(), message.size(), a.version,
                        ChecksumMode::v3_pseudo_header, got.source,
                        got.destination) == c.checksum);
    std::vector<IpAddress> want;
    for (const char* s : c.addresses) want.push_back(ip(s));
    CHECK(a.addresses == want);

    auto again = encode(a, got.source, got.destination, ChecksumMode::v3_pseudo_header);
    REQUIRE(std::holds_alternative<Bytes>(again));
    CHECK(to_hex(std::get<Bytes>(again)) == to_hex(message));

    // The instance that would receive it accepts it.
    Expectation e;
    e.version = c.version;
    e.vrid = c.vrid;
    e.auth_type = c.auth_type;
    e.auth_pass = pass8(c.password);
    e.adver_int_cs = c.adver_int_cs;
    e.vips = want;
    e.own_address = ip("192.0.2.2");
    e.unicast = !ip(c.destination).is_multicast();
    if (e.unicast) e.unicast_peers = {ip("192.0.2.1")};
    auto accepted = receive(packet.data(), packet.size(), e);
    if (auto* reason = std::get_if<RejectReason>(&accepted)) {
      FAIL("receive rejected: " << to_string(*reason));
    }
  }
}

TEST_CASE("keepalived 2.2.7 v3 checksums include the IPv4 pseudo-header", "[vrrp][codec]") {
  // Debian's 2.2.7 predates v3_checksum_as_v2: its v3 adverts fail the as-v2 check.
  for (const char* file :
       {"keepalived-v3-vrid56-prio200.hex", "keepalived-v3-vrid58-prio120.hex"}) {
    INFO(file);
    const Bytes packet = read_hex_fixture(std::string("vrrp/keepalived/") + file);
    auto r = decode(packet.data(), packet.size(), ChecksumMode::v3_as_v2);
    REQUIRE(std::holds_alternative<RejectReason>(r));
    CHECK(std::get<RejectReason>(r) == RejectReason::checksum);
  }
}
