// The unsolicited Neighbor Advertisement frame, byte for byte. The golden frame was built apart
// from this code with Python's ipaddress and struct (the checksum summed by hand over the IPv6
// pseudo-header, RFC 8200 section 8.1):
//   vip 2001:db8::100, MAC 02:00:00:00:00:01 -> checksum 0xf72c.
#include "net/neighbor_advert.hpp"

#include <catch2/catch.hpp>
#include <string>

#include "tests/unit/net/vrrp/codec_test_helpers.hpp"

using redkeep::net::build_unsolicited_na;
using redkeep::net::MacAddress;
using redkeep::net::vrrp::test::Bytes;
using redkeep::net::vrrp::test::from_hex;
using redkeep::net::vrrp::test::ip;
using redkeep::net::vrrp::test::to_hex;

TEST_CASE("Unsolicited Neighbor Advertisement: Override set, from the VIP to ff02::1",
          "[net][ndisc]") {
  const MacAddress mac = {0x02, 0, 0, 0, 0, 0x01};
  const auto frame = build_unsolicited_na(mac, ip("2001:db8::100"));
  const Bytes golden = from_hex(
      "333300000001 020000000001 86dd"                        // Ethernet
      "60000000 0020 3a ff"                                    // IPv6: 32 bytes, ICMPv6, 255
      "20010db8000000000000000000000100"                       // source: the VIP
      "ff020000000000000000000000000001"                       // all nodes
      "88 00 f72c 20000000"                                    // NA, Override
      "20010db8000000000000000000000100"                       // target: the VIP
      "02 01 020000000001");                                   // target link-layer address
  CHECK(to_hex(Bytes(frame.begin(), frame.end())) == to_hex(golden));
}

TEST_CASE("Unsolicited Neighbor Advertisement: a link-local VIP and another MAC",
          "[net][ndisc]") {
  const MacAddress mac = {0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
  const auto frame = build_unsolicited_na(mac, ip("fe80::60"));
  CHECK(to_hex(Bytes(frame.begin() + 6, frame.begin() + 12)) == "aabbccddeeff");
  CHECK(to_hex(Bytes(frame.begin() + 22, frame.begin() + 38)) ==
        "fe800000000000000000000000000060");
  CHECK(to_hex(Bytes(frame.end() - 6, frame.end())) == "aabbccddeeff");
  // The checksum holds: the one's-complement sum over pseudo-header and message is 0xffff.
  std::uint64_t sum = 0;
  for (std::size_t i = 22; i < 54; i += 2) sum += (frame[i] << 8) | frame[i + 1];  // addresses
  sum += 32 + 58;
  for (std::size_t i = 54; i < frame.size(); i += 2) sum += (frame[i] << 8) | frame[i + 1];
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  CHECK(sum == 0xffff);
}
