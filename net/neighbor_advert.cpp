#include "net/neighbor_advert.hpp"

#include <algorithm>

#include "net/vrrp/checksum.hpp"

namespace redkeep::net {

namespace {

constexpr std::size_t kEthernet = 14;
constexpr std::size_t kIpv6Header = 40;
constexpr std::size_t kIcmpv6Length = kNeighborAdvertFrameSize - kEthernet - kIpv6Header;  // 32
constexpr std::uint8_t kIcmpv6 = 58;
constexpr std::uint8_t kNeighborAdvertisement = 136;
constexpr std::uint8_t kOverrideFlag = 0x20;  // R = 0x80, S = 0x40, O = 0x20
constexpr std::uint8_t kTargetLinkLayerAddress = 2;
constexpr std::array<std::uint8_t, 16> kAllNodes = {0xff, 0x02, 0, 0, 0, 0, 0, 0,
                                                     0,    0,    0, 0, 0, 0, 0, 1};

}  // namespace

NeighborAdvertFrame build_unsolicited_na(const MacAddress& src_mac, const IpAddress& vip) {
  NeighborAdvertFrame f{};
  auto* p = f.data();
  // Ethernet
  const std::uint8_t all_nodes_mac[6] = {0x33, 0x33, 0, 0, 0, 1};
  std::copy(all_nodes_mac, all_nodes_mac + 6, p);
  std::copy(src_mac.begin(), src_mac.end(), p + 6);
  p[12] = 0x86;
  p[13] = 0xdd;
  // IPv6 header: version 6, no traffic class or flow label
  auto* ip6 = p + kEthernet;
  ip6[0] = 0x60;
  ip6[4] = 0;
  ip6[5] = static_cast<std::uint8_t>(kIcmpv6Length);
  ip6[6] = kIcmpv6;
  ip6[7] = 255;
  std::copy(vip.data(), vip.data() + 16, ip6 + 8);
  std::copy(kAllNodes.begin(), kAllNodes.end(), ip6 + 24);
  // Neighbor Advertisement
  auto* na = ip6 + kIpv6Header;
  na[0] = kNeighborAdvertisement;
  na[4] = kOverrideFlag;
  std::copy(vip.data(), vip.data() + 16, na + 8);
  na[24] = kTargetLinkLayerAddress;
  na[25] = 1;  // in units of 8 bytes
  std::copy(src_mac.begin(), src_mac.end(), na + 26);
  // Checksum: pseudo-header (source, destination, 32-bit length, next header) + message.
  std::uint64_t sum = vrrp::ones_complement_add(ip6 + 8, 32, 0);
  sum += kIcmpv6Length + kIcmpv6;
  sum = vrrp::ones_complement_add(na, kIcmpv6Length, sum);
  const std::uint16_t checksum = vrrp::fold_checksum(sum);
  na[2] = static_cast<std::uint8_t>(checksum >> 8);
  na[3] = static_cast<std::uint8_t>(checksum);
  return f;
}

}  // namespace redkeep::net
