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
