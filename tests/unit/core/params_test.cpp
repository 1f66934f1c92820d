#include "core/params.hpp"

#include <catch2/catch.hpp>

#include "net/vrrp/timing.hpp"

using namespace redkeep;
using namespace std::chrono_literals;

TEST_CASE(
    "the VIP lifetime outlasts the Master_Down_Interval of any priority, the longest by 2 s at "
    "most",
    "[core][params]") {
  for (auto version : {config::VrrpVersion::v2, config::VrrpVersion::v3}) {
    for (std::uint32_t cs : {1u, 10u, 25u, 99u, 100u, 150u, 300u, 4095u, 25500u}) {
      if (version == config::VrrpVersion::v2 && cs % 100 != 0) continue;  // whole seconds
      config::VrrpInstance in;
      in.version = version;
      in.advert_int_cs = cs;
      const auto lifetime = std::chrono::seconds(core::vip_lifetime_seconds(in));
      const auto v =
          version == config::VrrpVersion::v3 ? net::vrrp::Version::v3 : net::vrrp::Version::v2;
      const auto longest = net::vrrp::master_down_interval(v, 0, net::vrrp::Centiseconds(cs));
      CHECK(lifetime <= longest + 2s);
      for (int priority = 0; priority <= 255; ++priority) {
        const auto mdi = net::vrrp::master_down_interval(v, static_cast<std::uint8_t>(priority),
                                                         net::vrrp::Centiseconds(cs));
        INFO("v" << static_cast<int>(version) << " advert_int " << cs << " cs, priority "
                 << priority << ": lifetime " << lifetime.count() << " s, MDI " << mdi.count()
                 << " us");
        CHECK(lifetime > mdi);
      }
    }
  }
}

TEST_CASE("a stopping Master waits Master_Down_Interval + 1 s for its successor, 8 s at most",
          "[core][params]") {
  CHECK(core::stop_wait(3'609'375us) == 4'609'375us);
  CHECK(core::stop_wait(360'937us) == 1'360'937us);
  CHECK(core::stop_wait(std::chrono::seconds(766)) == 8s);
}

TEST_CASE("a peer's Redis is at its peer_address entry, else at its advert source unless "
          "that is link-local",
          "[core][params]") {
  config::VrrpInstance instance;
  const auto ip = [](const char* text) { return *net::IpAddress::parse(text); };
  CHECK(core::peer_redis_address(instance, ip("192.0.2.12")) == ip("192.0.2.12"));
  CHECK(core::peer_redis_address(instance, ip("2001:db8::12")) == ip("2001:db8::12"));
  CHECK_FALSE(core::peer_redis_address(instance, ip("fe80::12")));
  instance.redis.emplace();
  instance.redis->peer_address[ip("fe80::12")] = ip("2001:db8::12");
  instance.redis->peer_address[ip("192.0.2.13")] = ip("198.51.100.13");
  CHECK(core::peer_redis_address(instance, ip("fe80::12")) == ip("2001:db8::12"));
  CHECK(core::peer_redis_address(instance, ip("192.0.2.13")) == ip("198.51.100.13"));
  CHECK_FALSE(core::peer_redis_address(instance, ip("fe80::13")));
}

TEST_CASE("the configured members are the unicast peers' and peer_address's Redis, and the client "
          "VIP is the first one that is not link-local",
          "[core][params]") {
  const auto ip = [](const char* text) { return *net::IpAddress::parse(text); };
  config::VrrpInstance instance;
  instance.unicast_peer = {ip("2001:db8::12"), ip("fe80::13")};
  instance.redis.emplace();
  instance.redis->peer_address[ip("fe80::13")] = ip("2001:db8::13");
  instance.redis->peer_address[ip("fe80::11")] = ip("2001:db8::11");
  const auto members = core::configured_redis_members(instance);
  CHECK(members ==
        std::vector<net::IpAddress>{ip("2001:db8::12"), ip("2001:db8::13"), ip("2001:db8::11")});
  instance.virtual_ipaddress = {{ip("fe80::55"), 64}, {ip("2001:db8::100"), 64}};
  CHECK(core::client_vip(instance) == ip("2001:db8::100"));
  instance.virtual_ipaddress.pop_back();
  CHECK_FALSE(core::client_vip(instance));
}
