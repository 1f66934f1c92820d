// Gratuitous ARP: the frame layout byte by byte, and a real send seen from the peer namespace;
// for an IPv6 VIP the same sender puts an unsolicited Neighbor Advertisement on the wire.
#include "net/garp.hpp"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/socket.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <vector>

#include "net/io.hpp"
#include "net/neighbor_advert.hpp"
#include "tests/support/netns.hpp"

using redkeep::net::ArpFrame;
using redkeep::net::build_gratuitous_arp;
using redkeep::net::GratuitousArpSender;
using redkeep::net::IpAddress;
using redkeep::net::MacAddress;
using redkeep::net::UniqueFd;
using redkeep::test::VethLab;

namespace {

/// A packet socket on the peer's end of the veth pair, receiving whole frames of `ethertype`.
UniqueFd listen_frames(VethLab& lab, int ethertype) {
  return lab.b.run([ethertype] {
    UniqueFd fd(::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(ethertype)));
    if (!fd.valid()) throw std::runtime_error("AF_PACKET socket failed");
    sockaddr_ll addr{};
    addr.sll_family = AF_PACKET;
    addr.sll_protocol = htons(static_cast<std::uint16_t>(ethertype));
    addr.sll_ifindex = static_cast<int>(if_nametoindex(VethLab::kDevB));
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      throw std::runtime_error("bind AF_PACKET socket failed");
    }
    return fd;
  });
}

/// The first frame on `listener` that `ours(frame, size)` accepts within 3 s; empty if none.
template <class Predicate>
std::vector<std::uint8_t> receive_frame(const UniqueFd& listener, Predicate ours) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (std::chrono::steady_clock::now() < deadline) {
    auto ready = redkeep::net::wait_readable(listener.get(), 200);
    REQUIRE(ready.ok());
    std::uint8_t buf[256];
    ssize_t n;
    while ((n = ::recv(listener.get(), buf, sizeof buf, 0)) > 0) {
      if (ours(buf, static_cast<std::size_t>(n))) return {buf, buf + n};
    }
  }
  return {};
}

}  // namespace

TEST_CASE("build_gratuitous_arp lays out a broadcast ARP request with sender = target = VIP",
          "[garp]") {
  const MacAddress mac{0x02, 0x00, 0x5e, 0x10, 0x20, 0x30};
  const ArpFrame frame = build_gratuitous_arp(mac, *IpAddress::parse("192.0.2.100"));
  const ArpFrame expected{
      // Ethernet: destination broadcast, source = interface MAC, EtherType ARP
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  //
      0x02, 0x00, 0x5e, 0x10, 0x20, 0x30,  //
      0x08, 0x06,                          //
      // ARP: hardware Ethernet, protocol IPv4, hlen 6, plen 4, operation request
      0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,  //
      // sender hardware / protocol address
      0x02, 0x00, 0x5e, 0x10, 0x20, 0x30, 192, 0, 2, 100,  //
      // target hardware (broadcast, as keepalived) / protocol address (= the VIP)
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 192, 0, 2, 100};
  CHECK(frame.size() == 42);
  for (std::size_t i = 0; i < expected.size(); ++i) {
    INFO("byte " << i);
    CHECK(int{frame[i]} == int{expected[i]});
  }
}

TEST_CASE("build_gratuitous_arp matches a frame captured from keepalived 2.2.7", "[garp]") {
  // Captured with tshark on the veth peer of a namespace running Debian's keepalived 2.2.7 as
  // MASTER of VIP 192.0.2.100/24 on an interface with MAC 4e:6e:0e:b7:61:3a.
  const ArpFrame captured{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x4e, 0x6e, 0x0e, 0xb7, 0x61,
                          0x3a, 0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
                          0x4e, 0x6e, 0x0e, 0xb7, 0x61, 0x3a, 0xc0, 0x00, 0x02, 0x64, 0xff,
                          0xff, 0xff, 0xff, 0xff, 0xff, 0xc0, 0x00, 0x02, 0x64};
  const MacAddress mac{0x4e, 0x6e, 0x0e, 0xb7, 0x61, 0x3a};
  CHECK(build_gratuitous_arp(mac, *IpAddress::parse("192.0.2.100")) == captured);
}

TEST_CASE("GratuitousArpSender refuses unknown and non-Ethernet interfaces", "[netns][garp]") {
  redkeep::test::NetNs ns("garp-err");
  auto sender = ns.run([] { return GratuitousArpSender::open(); });
  REQUIRE(sender.ok());
  auto v6 = sender->send(1, *IpAddress::parse("2001:db8::1"));  // loopback: not Ethernet
  REQUIRE_FALSE(v6.ok());
  CHECK(v6.error().code == EAFNOSUPPORT);
  auto nodev = sender->send(4242, *IpAddress::parse("192.0.2.100"));
  REQUIRE_FALSE(nodev.ok());
  CHECK(nodev.error().code == ENODEV);
  CHECK(nodev.error().message.find("4242") != std::string::npos);
  auto lo = sender->send(1, *IpAddress::parse("192.0.2.100"));  // loopback: not Ethernet
  REQUIRE_FALSE(lo.ok());
  CHECK(lo.error().code == EAFNOSUPPORT);
}

TEST_CASE("A gratuitous ARP sent in one namespace arrives on the veth peer", "[netns][garp]") {
  VethLab lab;
  // The peer listens to ARP frames on its end of the veth pair.
  UniqueFd listener = listen_frames(lab, ETH_P_ARP);
  auto sender = lab.a.run([] { return GratuitousArpSender::open(); });
  REQUIRE(sender.ok());
  const int ifindex = lab.a.run([] { return static_cast<int>(if_nametoindex(VethLab::kDevA)); });
  REQUIRE(ifindex > 0);
  const IpAddress vip = *IpAddress::parse("192.0.2.100");

  auto mac = sender->hardware_address(ifindex);
  REQUIRE(mac.ok());
  char mac_text[18];
  std::snprintf(mac_text, sizeof mac_text, "%02x:%02x:%02x:%02x:%02x:%02x", (*mac)[0], (*mac)[1],
                (*mac)[2], (*mac)[3], (*mac)[4], (*mac)[5]);
  REQUIRE(mac_text == VethLab::mac_of(lab.a, VethLab::kDevA));

  auto sent = sender->send(ifindex, vip);
  REQUIRE(sent.ok());

  // Only ours: the kernel of either side may send other ARP traffic.
  const auto got = receive_frame(listener, [&](const std::uint8_t* f, std::size_t n) {
    return n >= 42 && std::equal(f + 28, f + 32, vip.data()) &&
           std::equal(f + 38, f + 42, vip.data());
  });
  REQUIRE(got.size() >= 42);
  const ArpFrame expected = build_gratuitous_arp(*mac, vip);
  CHECK(std::equal(expected.begin(), expected.end(), got.begin()));
  CHECK(std::equal(got.begin() + 6, got.begin() + 12, mac->begin()));   // Ethernet source
  CHECK(std::equal(got.begin() + 22, got.begin() + 28, mac->begin()));  // ARP sender MAC
  CHECK(got[20] == 0x00);
  CHECK(got[21] == 0x01);  // request
}

TEST_CASE("An unsolicited Neighbor Advertisement sent in one namespace arrives on the veth peer",
          "[netns][garp]") {
  VethLab lab;
  UniqueFd listener = listen_frames(lab, ETH_P_IPV6);
  auto sender = lab.a.run([] { return GratuitousArpSender::open(); });
  REQUIRE(sender.ok());
  const int ifindex = lab.a.run([] { return static_cast<int>(if_nametoindex(VethLab::kDevA)); });
  const IpAddress vip = *IpAddress::parse("2001:db8::100");
  auto mac = sender->hardware_address(ifindex);
  REQUIRE(mac.ok());
  REQUIRE(sender->send(ifindex, vip).ok());

  // SOCK_RAW on AF_PACKET delivers whole frames: ours is type 136 with the VIP as target.
  const auto got = receive_frame(listener, [&](const std::uint8_t* f, std::size_t n) {
    return n >= 86 && f[20] == 58 && f[54] == 136 && std::equal(f + 62, f + 78, vip.data());
  });
  REQUIRE(got.size() >= 86);
  const auto expected = redkeep::net::build_unsolicited_na(*mac, vip);
  CHECK(std::equal(expected.begin(), expected.end(), got.begin()));
}
