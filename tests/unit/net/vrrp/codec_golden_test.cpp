// Hand-built golden vectors from the RFC layouts (RFC 3768 section 5.1, RFC 5798 section 5.1).
// Every checksum was computed independently of redkeep with this python3 (RFC 1071):
//   def cs(b):
//     s = sum((b[i] << 8) + b[i + 1] for i in range(0, len(b), 2))
//     while s >> 16: s = (s & 0xffff) + (s >> 16)
//     return ~s & 0xffff
//   ph4 = lambda src, dst, n: ip_address(src).packed + ip_address(dst).packed + bytes([0, 112])
//                             + n.to_bytes(2, 'big')          # IPv4 pseudo-header
//   ph6 = lambda src, dst, n: ip_address(src).packed + ip_address(dst).packed
//                             + n.to_bytes(4, 'big') + bytes([0, 0, 0, 112])  # IPv6
// applied to the message with its checksum field zero; the value is noted per vector.

#include <catch2/catch.hpp>

#include "net/vrrp/packet.hpp"
#include "tests/unit/net/vrrp/codec_test_helpers.hpp"

using namespace redkeep::net::vrrp;
using namespace redkeep::net::vrrp::test;
using redkeep::net::IpAddress;

namespace {

Bytes encode_ok(const Advert& a, const IpAddress& src, const IpAddress& dst,
                ChecksumMode mode = ChecksumMode::v3_pseudo_header) {
  auto r = encode(a, src, dst, mode);
  REQUIRE(std::holds_alternative<Bytes>(r));
  return std::get<Bytes>(r);
}

Advert decode_message_ok(const Bytes& m, const IpAddress& src, const IpAddress& dst,
                         ChecksumMode mode = ChecksumMode::v3_pseudo_header) {
  auto r = decode_message(m.data(), m.size(), src, dst, mode);
  if (auto* reason = std::get_if<RejectReason>(&r)) FAIL("rejected: " << to_string(*reason));
  return std::get<Advert>(r);
}

Advert v2_advert(std::uint8_t vrid, std::uint8_t priority, std::uint16_t adver_int_cs,
                 std::vector<IpAddress> addresses) {
  Advert a;
  a.version = Version::v2;
  a.vrid = vrid;
  a.priority = priority;
  a.adver_int_cs = adver_int_cs;
  a.addresses = std::move(addresses);
  return a;
}

}  // namespace

TEST_CASE("v2 no auth, one address: RFC 3768 layout", "[vrrp][codec]") {
  // 21 = version 2, type 1 | 37 = VRID 55 | 96 = priority 150 | 01 = one address
  // 00 = auth none | 01 = 1 s | 8661 = cs(message) | c0000264 = 192.0.2.100 | 8 zero auth bytes
  const Bytes golden = from_hex("21379601 00018661 c0000264 0000000000000000");
  Advert a = v2_advert(55, 150, 100, {ip("192.0.2.100")});
  a.auth_data = {1, 2, 3, 4, 5, 6, 7, 8};  // not sent with auth none (RFC 3768 5.3.10)
  CHECK(to_hex(encode_ok(a, ip("192.0.2.1"), ip("224.0.0.18"))) == to_hex(golden));

  Advert d = decode_message_ok(golden, ip("192.0.2.1"), ip("224.0.0.18"));
  CHECK(d.version == Version::v2);
  CHECK(d.vrid == 55);
  CHECK(d.priority == 150);
  CHECK(d.adver_int_cs == 100);
  CHECK(d.auth_type == AuthType::none);
  CHECK(d.auth_data == std::array<std::uint8_t, 8>{});
  CHECK(d.addresses == std::vector<IpAddress>{ip("192.0.2.100")});
}

TEST_CASE("v2 PASS, three addresses, 3 s: RFC 3768 layout", "[vrrp][codec]") {
  // 21 | 01 = VRID 1 | 64 = priority 100 | 03 addresses | 01 = simple text | 03 = 3 s | c35d
  // 192.0.2.10 .11 .12 | "pw" zero-padded to 8 bytes
  const Bytes golden =
      from_hex("21016403 0103c35d c000020a c000020b c000020c 7077000000000000");
  Advert a = v2_advert(1, 100, 300, {ip("192.0.2.10"), ip("192.0.2.11"), ip("192.0.2.12")});
  a.auth_type = AuthType::simple_text;
  a.auth_data = {'p', 'w', 0, 0, 0, 0, 0, 0};
  // v2 ignores the checksum mode and the pseudo-header.
  CHECK(to_hex(encode_ok(a, ip("192.0.2.1"), ip("224.0.0.18"), ChecksumMode::v3_pseudo_header)) ==
        to_hex(golden));
  CHECK(to_hex(encode_ok(a, ip("192.0.2.1"), ip("224.0.0.18"), ChecksumMode::v3_as_v2)) ==
        to_hex(golden));

  Advert d = decode_message_ok(golden, ip("192.0.2.1"), ip("224.0.0.18"));
  CHECK(d.auth_type == AuthType::simple_text);
  CHECK(d.auth_data == a.auth_data);
  CHECK(d.adver_int_cs == 300);
  CHECK(d.addresses == a.addresses);
}

TEST_CASE("v3 IPv4 with pseudo-header and as-v2: RFC 5798 layout", "[vrrp][codec]") {
  // 31 = version 3, type 1 | 0a = VRID 10 | ff = priority 255 | 01 address
  // 0032 = rsvd 0, 50 cs | checksum | c0000232 = 192.0.2.50
  // cs(ph4('192.0.2.2', '224.0.0.18', 12) + m) = 6afd;  cs(m) = 0d8f
  const Bytes with_pseudo = from_hex("310aff01 00326afd c0000232");
  const Bytes as_v2 = from_hex("310aff01 00320d8f c0000232");
  Advert a;
  a.version = Version::v3;
  a.vrid = 10;
  a.priority = 255;
  a.adver_int_cs = 50;
  a.auth_type = AuthType::simple_text;  // v3 has no authentication: ignored
  a.auth_data = {9, 9, 9, 9, 9, 9, 9, 9};
  a.addresses = {ip("192.0.2.50")};
  const auto src = ip("192.0.2.2");
  const auto dst = ip("224.0.0.18");
  CHECK(to_hex(encode_ok(a, src, dst, ChecksumMode::v3_pseudo_header)) == to_hex(with_pseudo));
  CHECK(to_hex(encode_ok(a, src, dst, ChecksumMode::v3_as_v2)) == to_hex(as_v2));

  Advert d = decode_message_ok(with_pseudo, src, dst, ChecksumMode::v3_pseudo_header);
  CHECK(d.version == Version::v3);
  CHECK(d.vrid == 10);
  CHECK(d.priority == 255);
  CHECK(d.adver_int_cs == 50);
  CHECK(d.auth_type == AuthType::none);
  CHECK(d.addresses == a.addresses);
  decode_message_ok(as_v2, src, dst, ChecksumMode::v3_as_v2);

  // Each checksum is only valid in its own mode.
  auto wrong1 = decode_message(with_pseudo.data(), with_pseudo.size(), src, dst,
                               ChecksumMode::v3_as_v2);
  auto wrong2 = decode_message(as_v2.data(), as_v2.size(), src, dst,
                               ChecksumMode::v3_pseudo_header);
  CHECK(std::get<RejectReason>(wrong1) == RejectReason::checksum);
  CHECK(std::get<RejectReason>(wrong2) == RejectReason::checksum);
  // The pseudo-header covers the IP addresses: another source breaks it.
  auto moved = decode_message(with_pseudo.data(), with_pseudo.size(), ip("192.0.2.3"), dst,
                              ChecksumMode::v3_pseudo_header);
  CHECK(std::get<RejectReason>(moved) == RejectReason::checksum);
}

TEST_CASE("v3 IPv4 four addresses, maximum interval 4095 cs", "[vrrp][codec]") {
  // 31 0a 64 04 | 0fff = 4095 cs | checksum | 192.0.2.50 .51 .52 .53
  // cs(ph4('192.0.2.2', '224.0.0.18', 24) + m) = af83;  cs(m) = 5221
  const Bytes with_pseudo = from_hex("310a6404 0fffaf83 c0000232 c0000233 c0000234 c0000235");
  const Bytes as_v2 = from_hex("310a6404 0fff5221 c0000232 c0000233 c0000234 c0000235");
  Advert a;
  a.version = Version::v3;
  a.vrid = 10;
  a.priority = 100;
  a.adver_int_cs = 4095;
  a.addresses = {ip("192.0.2.50"), ip("192.0.2.51"), ip("192.0.2.52"), ip("192.0.2.53")};
  const auto src = ip("192.0.2.2");
  const auto dst = ip("224.0.0.18");
  CHECK(to_hex(encode_ok(a, src, dst, ChecksumMode::v3_pseudo_header)) == to_hex(with_pseudo));
  CHECK(to_hex(encode_ok(a, src, dst, ChecksumMode::v3_as_v2)) == to_hex(as_v2));
  Advert d = decode_message_ok(with_pseudo, src, dst);
  CHECK(d.adver_int_cs == 4095);
  CHECK(d.addresses == a.addresses);
}

TEST_CASE("v3 IPv6 always uses the IPv6 pseudo-header", "[vrrp][codec]") {
  // 31 01 64 01 | 0064 = 100 cs | checksum | 2001:db8::1
  // cs(ph6('fe80::1', 'ff02::12', 24) + m) = 3ec0
  const Bytes golden = from_hex("31016401 00643ec0 20010db8000000000000000000000001");
  Advert a;
  a.version = Version::v3;
  a.vrid = 1;
  a.priority = 100;
  a.adver_int_cs = 100;
  a.addresses = {ip("2001:db8::1")};
  const auto src = ip("fe80::1");
  const auto dst = ip("ff02::12");
  CHECK(to_hex(encode_ok(a, src, dst, ChecksumMode::v3_pseudo_header)) == to_hex(golden));
  CHECK(to_hex(encode_ok(a, src, dst, ChecksumMode::v3_as_v2)) == to_hex(golden));
  Advert d = decode_message_ok(golden, src, dst);
  CHECK(d.addresses == a.addresses);
}

TEST_CASE("v3 reserved bits are ignored on receive", "[vrrp][codec]") {
  // As the 50 cs vector with rsvd = 0xf: cs(ph4(...) + m) = 7afc.
  const Bytes m = from_hex("310aff01 f0327afc c0000232");
  Advert d = decode_message_ok(m, ip("192.0.2.2"), ip("224.0.0.18"));
  CHECK(d.adver_int_cs == 50);
}

TEST_CASE("encode reports unencodable adverts without throwing", "[vrrp][codec]") {
  const auto src = ip("192.0.2.1");
  const auto dst = ip("224.0.0.18");
  auto error_of = [&](const Advert& a, const IpAddress& s, const IpAddress& d) {
    auto r = encode(a, s, d, ChecksumMode::v3_pseudo_header);
    REQUIRE(std::holds_alternative<EncodeError>(r));
    return std::get<EncodeError>(r);
  };
  Advert a = v2_advert(1, 100, 150, {ip("192.0.2.100")});
  CHECK(error_of(a, src, dst) == EncodeError::interval_not_whole_seconds);
  a.adver_int_cs = 25600;  // 256 s
  CHECK(error_of(a, src, dst) == EncodeError::interval_out_of_range);
  a.adver_int_cs = 0;
  CHECK(error_of(a, src, dst) == EncodeError::interval_out_of_range);
  a.adver_int_cs = 25500;  // 255 s is the largest v2 interval
  CHECK(encode_ok(a, src, dst)[5] == 255);

  Advert v3 = a;
  v3.version = Version::v3;
  v3.adver_int_cs = 4096;
  CHECK(error_of(v3, src, dst) == EncodeError::interval_out_of_range);
  v3.adver_int_cs = 0;
  CHECK(error_of(v3, src, dst) == EncodeError::interval_out_of_range);
  v3.adver_int_cs = 1;
  CHECK(encode_ok(v3, src, dst).size() == 12);

  Advert many = v2_advert(1, 100, 100, {});
  for (int i = 0; i < 256; ++i) many.addresses.push_back(IpAddress::v4_host_order(0xC0000200u));
  CHECK(error_of(many, src, dst) == EncodeError::too_many_addresses);
  many.addresses.pop_back();
  CHECK(encode_ok(many, src, dst).size() == 8 + 255 * 4 + 8);

  Advert mixed = v2_advert(1, 100, 100, {ip("2001:db8::1")});
  CHECK(error_of(mixed, src, dst) == EncodeError::address_family);
  CHECK(error_of(a, src, ip("ff02::12")) == EncodeError::address_family);
  CHECK(error_of(a, ip("fe80::1"), ip("ff02::12")) == EncodeError::address_family);  // v2 v6
  CHECK(std::string(to_string(EncodeError::address_family)) == "address_family");
}
