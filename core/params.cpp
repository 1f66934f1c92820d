#include "core/params.hpp"

#include <algorithm>

#include "net/vrrp/timing.hpp"

namespace redkeep::core {

namespace vrrp = net::vrrp;

namespace {

vrrp::Version version_of(const config::VrrpInstance& instance) {
  return instance.version == config::VrrpVersion::v3 ? vrrp::Version::v3 : vrrp::Version::v2;
}

}  // namespace

vrrp::ElectionParams election_params(const config::VrrpInstance& in,
                                     const net::IpAddress& primary) {
  vrrp::ElectionParams p;
  p.vrid = in.virtual_router_id;
  p.version = version_of(in);
  p.priority = in.priority;
  p.advert_interval = vrrp::Centiseconds{in.advert_int_cs};
  p.initial_state =
      in.state == config::InitialState::master ? vrrp::State::master : vrrp::State::backup;
  p.nopreempt = in.nopreempt;
  p.preempt_delay = std::chrono::duration_cast<vrrp::Microseconds>(in.preempt_delay);
  p.primary_address = primary;
  return p;
}

vrrp::Expectation expectation(const config::VrrpInstance& in, const net::IpAddress& primary) {
  vrrp::Expectation e;
  e.version = version_of(in);
  e.vrid = in.virtual_router_id;
  e.auth_type =
      in.auth_type == config::AuthType::pass ? vrrp::AuthType::simple_text : vrrp::AuthType::none;
  const auto& pass = in.auth_pass.reveal();
  std::copy_n(pass.begin(), std::min(pass.size(), e.auth_pass.size()), e.auth_pass.begin());
  e.adver_int_cs = in.advert_int_cs;
  for (const auto& v : in.virtual_ipaddress) e.vips.push_back(v.address);
  e.checksum_mode =
      in.v3_checksum_as_v2 ? vrrp::ChecksumMode::v3_as_v2 : vrrp::ChecksumMode::v3_pseudo_header;
  e.unicast = !in.unicast_peer.empty();
  e.unicast_peers = in.unicast_peer;
  e.own_address = primary;
  return e;
}

std::chrono::microseconds advert_interval(const config::VrrpInstance& instance) {
  return std::chrono::duration_cast<std::chrono::microseconds>(
      vrrp::Centiseconds{instance.advert_int_cs});
}

std::uint32_t vip_lifetime_seconds(const config::VrrpInstance& instance) {
  const auto longest = vrrp::master_down_interval(version_of(instance), 0,
                                                  vrrp::Centiseconds{instance.advert_int_cs});
  const auto whole_s = (longest.count() + 999'999) / 1'000'000;
  return static_cast<std::uint32_t>(whole_s) + 1;
}

std::chrono::microseconds alone_bound(const config::VrrpInstance& instance) {
  return 2 * advert_interval(instance);
}

std::chrono::microseconds stop_wait(std::chrono::microseconds master_down_interval) {
  return std::min<std::chrono::microseconds>(master_down_interval + std::chrono::seconds(1),
                                             std::chrono::seconds(8));
}

std::vector<net::IpAddress> configured_redis_members(const config::VrrpInstance& instance) {
  std::vector<net::IpAddress> out;
  const auto add = [&](const net::IpAddress& a) {
    if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
  };
  for (const auto& peer : instance.unicast_peer)
    if (auto a = peer_redis_address(instance, peer)) add(*a);
  if (instance.redis)
    for (const auto& [source, address] : instance.redis->peer_address) add(address);
  return out;
}

std::optional<net::IpAddress> client_vip(const config::VrrpInstance& instance) {
  for (const auto& v : instance.virtual_ipaddress)
    if (!v.address.is_link_local()) return v.address;
  return std::nullopt;
}

std::optional<net::IpAddress> peer_redis_address(const config::VrrpInstance& instance,
                                                 const net::IpAddress& advert_source) {
  if (instance.redis) {
    const auto& table = instance.redis->peer_address;
    if (auto it = table.find(advert_source); it != table.end()) return it->second;
  }
  if (advert_source.is_link_local()) return std::nullopt;
  return advert_source;
}

}  // namespace redkeep::core
