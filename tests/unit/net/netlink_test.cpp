// Netlink VIP management and link monitoring, run in network namespaces the tests create.
#include "net/netlink.hpp"

#include <linux/if_arp.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cerrno>

#include "net/io.hpp"
#include "tests/support/netns.hpp"

using redkeep::net::AddressInfo;
using redkeep::net::IpAddress;
using redkeep::net::IpPrefix;
using redkeep::net::kInfiniteLifetime;
using redkeep::net::LinkEvent;
using redkeep::net::LinkMonitor;
using redkeep::net::Netlink;
using redkeep::test::eventually;
using redkeep::test::NetNs;
using redkeep::test::VethLab;

namespace {

IpPrefix prefix(const char* addr, std::uint8_t len) {
  return IpPrefix{*IpAddress::parse(addr), len};
}

std::optional<AddressInfo> find(const std::vector<AddressInfo>& list, const IpPrefix& p) {
  auto it = std::find_if(list.begin(), list.end(),
                         [&](const AddressInfo& a) { return a.prefix == p; });
  if (it == list.end()) return std::nullopt;
  return *it;
}

Netlink open_in(const NetNs& ns) {
  auto nl = ns.run([] { return Netlink::open(); });
  if (!nl) throw std::runtime_error(nl.error().message);
  return std::move(nl).value();
}

}  // namespace

TEST_CASE("Netlink adds a VIP with a lifetime, lists it, renews it and removes it",
          "[netns][netlink]") {
  VethLab lab;
  Netlink nl = open_in(lab.a);
  auto index = nl.interface_index(VethLab::kDevA);
  REQUIRE(index.ok());
  const IpPrefix vip = prefix("192.0.2.100", 24);

  auto added = nl.add_address(*index, vip, 30, 30);
  REQUIRE(added.ok());
  auto list = nl.list_addresses(*index);
  REQUIRE(list.ok());
  auto info = find(*list, vip);
  REQUIRE(info);
  CHECK(info->ifindex == *index);
  CHECK(info->valid_lft <= 30);
  CHECK(info->valid_lft >= 28);
  CHECK(info->preferred_lft <= 30);
  CHECK_FALSE(info->permanent);
  CHECK(info->secondary);  // 192.0.2.1/24 was there first and stays the primary address
  auto primary = find(*list, prefix("192.0.2.1", 24));
  REQUIRE(primary);
  CHECK(primary->valid_lft == kInfiniteLifetime);
  CHECK(primary->permanent);
  // The kernel's own view, read independently of the code under test.
  CHECK(lab.a.ip_output("-o addr show dev veth0").find("192.0.2.100/24") != std::string::npos);

  // Renewal on the existing address (NLM_F_REPLACE) moves its lifetime, no EEXIST.
  REQUIRE(nl.add_address(*index, vip, 120, 120).ok());
  list = nl.list_addresses(*index);
  REQUIRE(list.ok());
  info = find(*list, vip);
  REQUIRE(info);
  CHECK(info->valid_lft > 100);
  CHECK(std::count_if(list->begin(), list->end(),
                      [&](const AddressInfo& a) { return a.prefix == vip; }) == 1);
  CHECK(lab.a.ip_output("-o addr show dev veth0").find("valid_lft 1") != std::string::npos);

  REQUIRE(nl.remove_address(*index, vip).ok());
  list = nl.list_addresses(*index);
  REQUIRE(list.ok());
  CHECK_FALSE(find(*list, vip));
  CHECK(find(*list, prefix("192.0.2.1", 24)));
  CHECK(lab.a.ip_output("-o addr show dev veth0").find("192.0.2.100") == std::string::npos);

  // Already gone, and never there: both fine.
  CHECK(nl.remove_address(*index, vip).ok());
  CHECK(nl.remove_address(*index, prefix("192.0.2.200", 24)).ok());
}

TEST_CASE("Netlink adds IPv6 VIPs without DAD, with a lifetime, renews and removes them",
          "[netns][netlink]") {
  VethLab lab;
  Netlink nl = open_in(lab.a);
  auto index = nl.interface_index(VethLab::kDevA);
  REQUIRE(index.ok());
  for (const IpPrefix& vip : {prefix("2001:db8::100", 64), prefix("fe80::100", 64)}) {
    INFO(vip.to_string());
    REQUIRE(nl.add_address(*index, vip, 30, 30).ok());
    auto list = nl.list_addresses(*index);
    REQUIRE(list.ok());
    auto info = find(*list, vip);
    REQUIRE(info);
    CHECK(info->valid_lft <= 30);
    CHECK(info->valid_lft >= 28);
    CHECK_FALSE(info->permanent);
    // No duplicate address detection: usable at once, never "tentative" (the new master
    // must answer for the VIP without the 1 s DAD delay).
    const auto shown = lab.a.ip_output("-6 -o addr show dev veth0");
    const auto line = shown.substr(shown.find(vip.address.to_string()));
    CHECK(line.substr(0, line.find('\n')).find("nodad") != std::string::npos);
    CHECK(line.substr(0, line.find('\n')).find("tentative") == std::string::npos);

    REQUIRE(nl.add_address(*index, vip, 120, 120).ok());  // renewal
    list = nl.list_addresses(*index);
    REQUIRE(list.ok());
    info = find(*list, vip);
    REQUIRE(info);
    CHECK(info->valid_lft > 100);

    REQUIRE(nl.remove_address(*index, vip).ok());
    list = nl.list_addresses(*index);
    REQUIRE(list.ok());
    CHECK_FALSE(find(*list, vip));
    CHECK(nl.remove_address(*index, vip).ok());  // already gone: fine
  }
}

TEST_CASE("Netlink errors name the operation, the address and the interface",
          "[netns][netlink]") {
  NetNs ns("err");
  Netlink nl = open_in(ns);
  auto added = nl.add_address(4242, prefix("192.0.2.100", 24), 10, 10);
  REQUIRE_FALSE(added.ok());
  CHECK(added.error().code == ENODEV);
  CHECK(added.error().message.find("add address 192.0.2.100/24") != std::string::npos);
  CHECK(added.error().message.find("ifindex 4242") != std::string::npos);

  auto index = nl.interface_index("rk-nosuchdev");
  REQUIRE_FALSE(index.ok());
  CHECK(index.error().code == ENODEV);
  CHECK(index.error().message.find("rk-nosuchdev") != std::string::npos);

  auto state = nl.link_state(4242);
  REQUIRE(state.ok());
  CHECK_FALSE(state->exists);
  CHECK_FALSE(state->usable());

  // Lifetimes the kernel refuses (preferred > valid) come back as EINVAL, not a crash.
  auto lo = nl.interface_index("lo");
  REQUIRE(lo.ok());
  auto bad = nl.add_address(*lo, prefix("192.0.2.100", 32), 5, 10);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == EINVAL);
  CHECK(bad.error().message.find("(lo)") != std::string::npos);
}

TEST_CASE("Netlink reports link state and the interface MAC", "[netns][netlink]") {
  VethLab lab;
  Netlink nl = open_in(lab.a);
  auto index = nl.interface_index(VethLab::kDevA);
  REQUIRE(index.ok());
  auto state = nl.link_state(*index);
  REQUIRE(state.ok());
  CHECK(state->exists);
  CHECK(state->admin_up);
  CHECK(state->lower_up);
  CHECK(state->running);
  CHECK(state->usable());
  CHECK(state->name == VethLab::kDevA);
  CHECK(state->hardware_type == ARPHRD_ETHER);
  REQUIRE(state->hardware_address.size() == 6);
  char text[18];
  const auto& m = state->hardware_address;
  std::snprintf(text, sizeof text, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
                m[5]);
  CHECK(text == VethLab::mac_of(lab.a, VethLab::kDevA));
}

TEST_CASE("A VIP added with a 2 s lifetime disappears by itself and the monitor sees it",
          "[netns][netlink]") {
  VethLab lab;
  Netlink nl = open_in(lab.a);
  auto monitor = lab.a.run([] { return LinkMonitor::open(); });
  REQUIRE(monitor.ok());
  auto index = nl.interface_index(VethLab::kDevA);
  REQUIRE(index.ok());
  const IpPrefix vip = prefix("192.0.2.100", 24);

  auto start = std::chrono::steady_clock::now();
  REQUIRE(nl.add_address(*index, vip, 2, 2).ok());
  auto present = [&] {
    auto list = nl.list_addresses(*index);
    return list.ok() && find(*list, vip).has_value();
  };
  REQUIRE(present());
  // The kernel checks lifetimes on whole seconds: gone after 2..3 s.
  REQUIRE(eventually([&] { return !present(); }, 5000));
  auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(elapsed >= std::chrono::milliseconds(1500));

  bool saw_added = false, saw_removed = false;
  REQUIRE(eventually([&] {
    auto events = monitor->read_events(*index);
    if (!events.ok()) return true;  // reported by the CHECK below
    for (const auto& ev : *events) {
      if (!ev.address || !(ev.address->prefix == vip)) continue;
      if (ev.kind == LinkEvent::Kind::address_added) saw_added = true;
      if (ev.kind == LinkEvent::Kind::address_removed) saw_removed = true;
    }
    return saw_removed;
  }, 2000));
  CHECK(saw_added);
  CHECK(saw_removed);
}

TEST_CASE("The link monitor reports carrier loss when the veth peer goes down",
          "[netns][netlink]") {
  VethLab lab;
  Netlink nl = open_in(lab.a);
  auto monitor = lab.a.run([] { return LinkMonitor::open(); });
  REQUIRE(monitor.ok());
  auto index = nl.interface_index(VethLab::kDevA);
  REQUIRE(index.ok());
  REQUIRE(nl.link_state(*index)->usable());
  // Nothing pending yet for veth0 except possibly late "up" notifications.
  auto before = monitor->read_events(*index);
  REQUIRE(before.ok());
  for (const auto& ev : *before) CHECK(ev.kind != LinkEvent::Kind::link_down);

  lab.b.ip("link set veth1 down");

  // Wait on the fd as the actor will, with a deadline.
  std::optional<LinkEvent> down;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (!down && std::chrono::steady_clock::now() < deadline) {
    auto ready = redkeep::net::wait_readable(monitor->fd(), 200);
    REQUIRE(ready.ok());
    if (!*ready) continue;
    auto events = monitor->read_events(*index);
    REQUIRE(events.ok());
    for (const auto& ev : *events) {
      CHECK(ev.ifindex == *index);
      if (ev.kind == LinkEvent::Kind::link_down) down = ev;
    }
  }
  REQUIRE(down);
  CHECK(down->link.admin_up);       // our side is still administratively up...
  CHECK_FALSE(down->link.lower_up);  // ...but has no carrier
  CHECK_FALSE(down->link.usable());
  CHECK_FALSE(nl.link_state(*index)->usable());

  lab.b.ip("link set veth1 up");
  bool up = false;
  REQUIRE(eventually([&] {
    auto events = monitor->read_events(*index);
    if (events.ok()) {
      for (const auto& ev : *events) up = up || ev.kind == LinkEvent::Kind::link_up;
    }
    return up;
  }));
  CHECK(nl.link_state(*index)->usable());
}

TEST_CASE("The link monitor filters events by interface", "[netns][netlink]") {
  VethLab lab;
  Netlink nl = open_in(lab.a);
  auto monitor = lab.a.run([] { return LinkMonitor::open(); });
  REQUIRE(monitor.ok());
  auto lo = nl.interface_index("lo");
  REQUIRE(lo.ok());
  auto veth = nl.interface_index(VethLab::kDevA);
  REQUIRE(veth.ok());
  lab.a.ip("addr add 192.0.2.50/32 dev lo");
  lab.a.ip("addr add 192.0.2.51/24 dev veth0");
  std::vector<LinkEvent> on_lo;
  REQUIRE(eventually([&] {
    auto events = monitor->read_events(*lo);
    if (events.ok()) on_lo.insert(on_lo.end(), events->begin(), events->end());
    return !on_lo.empty();
  }));
  for (const auto& ev : on_lo) CHECK(ev.ifindex == *lo);
  CHECK(std::none_of(on_lo.begin(), on_lo.end(), [](const LinkEvent& ev) {
    return ev.address && ev.address->prefix.address == *IpAddress::parse("192.0.2.51");
  }));
}
