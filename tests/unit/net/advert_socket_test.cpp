// The VRRP raw socket between two namespaces: multicast and unicast delivery, TTL 255,
// protocol 112, chosen source address, no loopback of our own adverts.
#include "net/advert_socket.hpp"

#include <net/if.h>

#include <catch2/catch.hpp>
#include <cerrno>

#include "net/netlink.hpp"
#include "tests/support/netns.hpp"

using redkeep::net::AdvertSocket;
using redkeep::net::AdvertSocketOptions;
using redkeep::net::IpAddress;
using redkeep::net::IpPrefix;
using redkeep::net::Netlink;
using redkeep::net::primary_address;
using redkeep::net::ReceivedPacket;
using redkeep::net::vrrp_group_v4;
using redkeep::test::NetNs;
using redkeep::test::VethLab;

namespace {

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

struct Opened {
  AdvertSocket socket;
  int ifindex;
};

Opened open_advert(const NetNs& ns, const char* dev, const char* source, bool join = true) {
  auto result = ns.run([&] {
    AdvertSocketOptions o;
    o.ifindex = static_cast<int>(if_nametoindex(dev));
    o.source = ip(source);
    o.join_group = join;
    return AdvertSocket::open(o);
  });
  if (!result) throw std::runtime_error(result.error().message);
  int ifindex = result->options().ifindex;
  return Opened{std::move(result).value(), ifindex};
}

// A fake VRRPv2 advert (the socket does not look inside): the bytes must arrive unchanged.
const std::vector<std::uint8_t> kMessage = {0x21, 0x37, 0x96, 0x01, 0x00, 0x01, 0x12, 0x34,
                                            192,  0,    2,    100,  0,    0,    0,    0,
                                            0,    0,    0,    0};

std::vector<std::uint8_t> payload(const ReceivedPacket& p) {
  std::size_t ihl = (p.packet[0] & 0x0f) * 4u;
  return {p.packet.begin() + static_cast<std::ptrdiff_t>(ihl), p.packet.end()};
}

IpAddress header_source(const ReceivedPacket& p) { return IpAddress::v4(&p.packet[12]); }
IpAddress header_destination(const ReceivedPacket& p) { return IpAddress::v4(&p.packet[16]); }

}  // namespace

TEST_CASE("Adverts go out with TTL 255 and protocol 112, multicast and unicast, not looped back",
          "[netns][advert]") {
  VethLab lab;
  // The advert source is explicit (unicast_src_ip style): not the kernel's choice, 192.0.2.1.
  lab.a.ip("addr add 192.0.2.101/24 dev veth0");
  Opened a = open_advert(lab.a, VethLab::kDevA, "192.0.2.101");
  Opened b = open_advert(lab.b, VethLab::kDevB, "192.0.2.2");

  // Multicast A -> B.
  auto sent = a.socket.send_to(vrrp_group_v4(), kMessage);
  REQUIRE(sent.ok());
  auto got = b.socket.receive(2000);
  REQUIRE(got.ok());
  REQUIRE(got->has_value());
  const ReceivedPacket& m = **got;
  REQUIRE(m.packet.size() >= 20 + kMessage.size());
  CHECK((m.packet[0] >> 4) == 4);
  CHECK(int{m.packet[8]} == 255);  // TTL
  CHECK(int{m.packet[9]} == 112);  // protocol
  CHECK(int{m.packet[1]} == 0xc0);  // TOS internetwork control, as keepalived
  CHECK(header_source(m) == ip("192.0.2.101"));
  CHECK(header_destination(m) == vrrp_group_v4());
  CHECK(m.destination == vrrp_group_v4());
  CHECK(m.ifindex == b.ifindex);
  CHECK(payload(m) == kMessage);

  // Unicast B -> A. If A's own multicast had been looped back, it would already be queued
  // ahead of this reply, so the first packet A reads must be B's.
  std::vector<std::uint8_t> reply = kMessage;
  reply[3] = 50;
  REQUIRE(b.socket.send_to(ip("192.0.2.1"), reply).ok());
  auto back = a.socket.receive(2000);
  REQUIRE(back.ok());
  REQUIRE(back->has_value());
  const ReceivedPacket& u = **back;
  CHECK(int{u.packet[8]} == 255);
  CHECK(int{u.packet[9]} == 112);
  CHECK(header_source(u) == ip("192.0.2.2"));
  CHECK(header_destination(u) == ip("192.0.2.1"));
  CHECK(u.ifindex == a.ifindex);
  CHECK(payload(u) == reply);

  // Unicast A -> B keeps the chosen source too (the kernel would pick 192.0.2.1).
  std::vector<std::uint8_t> to_peer = kMessage;
  to_peer[3] = 60;
  REQUIRE(a.socket.send_to(ip("192.0.2.2"), to_peer).ok());
  auto direct = b.socket.receive(2000);
  REQUIRE(direct.ok());
  REQUIRE(direct->has_value());
  CHECK(int{(**direct).packet[8]} == 255);
  CHECK(header_source(**direct) == ip("192.0.2.101"));
  CHECK(header_destination(**direct) == ip("192.0.2.2"));
  CHECK(payload(**direct) == to_peer);

  // Nothing else queued on either side: no loopback of B's unicast nor of A's multicast.
  auto rest_a = a.socket.receive(0);
  REQUIRE(rest_a.ok());
  CHECK_FALSE(rest_a->has_value());
  auto rest_b = b.socket.receive(0);
  REQUIRE(rest_b.ok());
  CHECK_FALSE(rest_b->has_value());
}

TEST_CASE("IPv6 adverts: hop limit 255, from the chosen link-local source, to ff02::12 and "
          "unicast, not looped back",
          "[netns][advert]") {
  VethLab lab;
  // Fixed link-local and global addresses, usable at once (no DAD).
  lab.a.ip("addr add fe80::1/64 dev veth0 nodad");
  lab.a.ip("addr add 2001:db8::1/64 dev veth0 nodad");
  lab.b.ip("addr add fe80::2/64 dev veth1 nodad");
  lab.b.ip("addr add 2001:db8::2/64 dev veth1 nodad");
  Opened a = open_advert(lab.a, VethLab::kDevA, "fe80::1");
  Opened b = open_advert(lab.b, VethLab::kDevB, "fe80::2");

  // The sockets deliver the VRRP message only; the bytes need not be a valid advert.
  std::vector<std::uint8_t> message = kMessage;
  message[0] = 0x31;  // version 3
  REQUIRE(a.socket.send_to(redkeep::net::vrrp_group_v6(), message).ok());
  auto got = b.socket.receive(2000);
  REQUIRE(got.ok());
  REQUIRE(got->has_value());
  const ReceivedPacket& m = **got;
  CHECK(m.packet == message);
  CHECK(m.source == ip("fe80::1"));
  CHECK(m.destination == redkeep::net::vrrp_group_v6());
  CHECK(int{m.hop_limit} == 255);
  CHECK(m.ifindex == b.ifindex);

  // Unicast between global addresses, the hop limit 255 too.
  Opened a2 = open_advert(lab.a, VethLab::kDevA, "2001:db8::1", false);
  message[3] = 60;
  REQUIRE(a2.socket.send_to(ip("2001:db8::2"), message).ok());
  auto direct = b.socket.receive(2000);
  REQUIRE(direct.ok());
  REQUIRE(direct->has_value());
  CHECK((**direct).packet == message);
  CHECK((**direct).source == ip("2001:db8::1"));
  CHECK((**direct).destination == ip("2001:db8::2"));
  CHECK(int{(**direct).hop_limit} == 255);

  // No loopback of A's multicast; the family must match.
  auto rest_a = a.socket.receive(0);
  REQUIRE(rest_a.ok());
  CHECK_FALSE(rest_a->has_value());
  auto wrong = a.socket.send_to(vrrp_group_v4(), message);
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.error().code == EAFNOSUPPORT);
}

TEST_CASE("An advert socket without the group gets unicast adverts only", "[netns][advert]") {
  VethLab lab;
  Opened a = open_advert(lab.a, VethLab::kDevA, "192.0.2.1");
  Opened b = open_advert(lab.b, VethLab::kDevB, "192.0.2.2", /*join=*/false);

  REQUIRE(a.socket.send_to(vrrp_group_v4(), kMessage).ok());
  std::vector<std::uint8_t> unicast = kMessage;
  unicast[3] = 77;
  REQUIRE(a.socket.send_to(ip("192.0.2.2"), unicast).ok());
  // Sent after the multicast one on the same link: if the multicast were delivered, it
  // would be read first.
  auto got = b.socket.receive(2000);
  REQUIRE(got.ok());
  REQUIRE(got->has_value());
  CHECK(header_destination(**got) == ip("192.0.2.2"));
  CHECK(int{(**got).packet[8]} == 255);
  CHECK(payload(**got) == unicast);
}

TEST_CASE("receive() honours its timeout when nothing arrives", "[netns][advert]") {
  VethLab lab;
  Opened a = open_advert(lab.a, VethLab::kDevA, "192.0.2.1");
  auto start = std::chrono::steady_clock::now();
  auto got = a.socket.receive(100);
  auto elapsed = std::chrono::steady_clock::now() - start;
  REQUIRE(got.ok());
  CHECK_FALSE(got->has_value());
  CHECK(elapsed >= std::chrono::milliseconds(90));
  CHECK(elapsed < std::chrono::milliseconds(1000));
}

TEST_CASE("AdvertSocket::open errors name the interface", "[netns][advert]") {
  NetNs ns("adv-err");
  auto result = ns.run([] {
    AdvertSocketOptions o;
    o.ifindex = 4242;
    o.source = ip("192.0.2.1");
    return AdvertSocket::open(o);
  });
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == ENODEV);
  CHECK(result.error().message.find("4242") != std::string::npos);
}

TEST_CASE("primary_address skips the VIPs and reports an interface without address",
          "[netns][advert]") {
  NetNs ns("prim");
  ns.ip("link add veth0 type veth peer name veth1");
  auto nl = ns.run([] { return Netlink::open(); });
  REQUIRE(nl.ok());
  auto index = nl->interface_index("veth0");
  REQUIRE(index.ok());

  auto none = primary_address(*nl, *index, {});
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().code == EADDRNOTAVAIL);

  // The VIP comes first here, so it is the kernel's primary address of the subnet.
  const IpAddress vip = ip("192.0.2.100");
  REQUIRE(nl->add_address(*index, IpPrefix{vip, 24}, 60, 60).ok());
  ns.ip("addr add 192.0.2.1/24 dev veth0");
  auto with_vip = primary_address(*nl, *index, {});
  REQUIRE(with_vip.ok());
  CHECK(*with_vip == vip);
  auto without_vip = primary_address(*nl, *index, {vip});
  REQUIRE(without_vip.ok());
  CHECK(*without_vip == ip("192.0.2.1"));
}

TEST_CASE("primary_address for IPv6 is the first link-local address that is not a VIP",
          "[netns][advert]") {
  NetNs ns("prim6");
  ns.ip("link add veth0 type veth peer name veth1");
  ns.ip("link set veth0 addrgenmode none");  // no automatic link-local address
  auto nl = ns.run([] { return Netlink::open(); });
  REQUIRE(nl.ok());
  auto index = nl->interface_index("veth0");
  REQUIRE(index.ok());
  ns.ip("addr add 2001:db8::1/64 dev veth0 nodad");
  ns.ip("addr add 192.0.2.1/24 dev veth0");
  auto none = primary_address(*nl, *index, {}, redkeep::net::Family::ipv6);
  REQUIRE_FALSE(none.ok());  // a global address and an IPv4 one: no link-local
  CHECK(none.error().code == EADDRNOTAVAIL);
  CHECK(none.error().message.find("link-local") != std::string::npos);

  const IpAddress vip = ip("fe80::100");
  REQUIRE(nl->add_address(*index, IpPrefix{vip, 64}, 60, 60).ok());
  ns.ip("addr add fe80::1/64 dev veth0 nodad");
  auto got = primary_address(*nl, *index, {vip}, redkeep::net::Family::ipv6);
  REQUIRE(got.ok());
  CHECK(*got == ip("fe80::1"));
  auto v4 = primary_address(*nl, *index, {vip});
  REQUIRE(v4.ok());
  CHECK(*v4 == ip("192.0.2.1"));
}

TEST_CASE("A send from a source no longer on the interface says so", "[netns][advert]") {
  VethLab lab;
  lab.a.ip("addr add fe80::1/64 dev veth0 nodad");
  Opened v6 = open_advert(lab.a, VethLab::kDevA, "fe80::1");
  Opened v4 = open_advert(lab.a, VethLab::kDevA, "192.0.2.1");
  std::vector<std::uint8_t> message = kMessage;
  message[0] = 0x31;
  REQUIRE(v6.socket.send_to(redkeep::net::vrrp_group_v6(), message).ok());
  REQUIRE(v4.socket.send_to(vrrp_group_v4(), kMessage).ok());

  // Another address of each family stays, so the interface is still up and routed.
  lab.a.ip("addr add fe80::9/64 dev veth0 nodad");
  lab.a.ip("addr add 192.0.2.200/25 dev veth0");
  lab.a.ip("addr del fe80::1/64 dev veth0");
  lab.a.ip("addr del 192.0.2.1/24 dev veth0");
  // Sent from inside the namespace: whether the source is still local is asked there.
  auto gone6 =
      lab.a.run([&] { return v6.socket.send_to(redkeep::net::vrrp_group_v6(), message); });
  REQUIRE_FALSE(gone6.ok());
  CHECK_THAT(gone6.error().message,
             Catch::Contains("(fe80::1 is no longer an address of this node"));
  auto gone4 = lab.a.run([&] { return v4.socket.send_to(vrrp_group_v4(), kMessage); });
  REQUIRE_FALSE(gone4.ok());
  CHECK_THAT(gone4.error().message,
             Catch::Contains("(192.0.2.1 is no longer an address of this node"));
  // A send that fails for another reason does not blame the source.
  lab.a.ip("addr add 192.0.2.1/24 dev veth0");
  const std::vector<std::uint8_t> too_big(70000, 0);
  auto wrong = lab.a.run([&] { return v4.socket.send_to(vrrp_group_v4(), too_big); });
  REQUIRE_FALSE(wrong.ok());
  CHECK_THAT(wrong.error().message, !Catch::Contains("no longer"));
}
