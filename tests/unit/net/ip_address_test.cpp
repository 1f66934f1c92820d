#include "net/ip_address.hpp"

#include <catch2/catch.hpp>

using redkeep::net::IpAddress;

TEST_CASE("IpAddress parses IPv4 and IPv6 and rejects junk", "[net][ip]") {
  auto a = IpAddress::parse("192.0.2.11");
  REQUIRE(a);
  CHECK(a->is_v4());
  CHECK(a->v4_host_order() == 0xC000020Bu);
  CHECK(a->to_string() == "192.0.2.11");
  auto b = IpAddress::parse("2001:db8::1");
  REQUIRE(b);
  CHECK_FALSE(b->is_v4());
  CHECK_FALSE(IpAddress::parse("192.0.2"));
  CHECK_FALSE(IpAddress::parse("300.0.2.1"));
  CHECK_FALSE(IpAddress::parse("host"));
}

TEST_CASE("IpAddress orders numerically for the RFC tie-break", "[net][ip]") {
  CHECK(*IpAddress::parse("192.0.2.13") > *IpAddress::parse("192.0.2.12"));
  CHECK(*IpAddress::parse("192.0.2.100") > *IpAddress::parse("192.0.2.13"));
  CHECK(*IpAddress::parse("10.0.0.1") < *IpAddress::parse("192.0.2.1"));
  CHECK(IpAddress::v4_host_order(0xC000020B) == *IpAddress::parse("192.0.2.11"));
  CHECK(IpAddress::parse("224.0.0.18")->is_multicast());
}

TEST_CASE("IpAddress::v6 builds an IPv6 address from 16 bytes in network order", "[net]") {
  const std::uint8_t bytes[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x00};
  const auto a = redkeep::net::IpAddress::v6(bytes);
  CHECK_FALSE(a.is_v4());
  CHECK(a.to_string() == "2001:db8::100");
  CHECK(a == *redkeep::net::IpAddress::parse("2001:db8::100"));
}

TEST_CASE("IpAddress knows IPv6 link-local and loopback addresses", "[net][ip]") {
  CHECK(IpAddress::parse("fe80::1")->is_link_local());
  CHECK(IpAddress::parse("febf::1")->is_link_local());
  CHECK_FALSE(IpAddress::parse("fec0::1")->is_link_local());
  CHECK_FALSE(IpAddress::parse("2001:db8::1")->is_link_local());
  CHECK_FALSE(IpAddress::parse("192.0.2.1")->is_link_local());
  CHECK(IpAddress::parse("::1")->is_loopback());
  CHECK(IpAddress::parse("127.0.0.2")->is_loopback());
  CHECK_FALSE(IpAddress::parse("::2")->is_loopback());
  CHECK_FALSE(IpAddress::parse("2001:db8::1")->is_loopback());
}
