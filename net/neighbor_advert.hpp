#pragma once
// Unsolicited Neighbor Advertisement for an IPv6 VIP that just moved here: IPv6's gratuitous
// ARP (RFC 4861 section 7.2.6; RFC 5798 section 6.4.2 asks a new master to send one per IPv6
// VIP), so that neighbours and switches update their caches at once. The Override flag makes
// receivers replace the link-layer address they cached for the VIP. Sent as a whole Ethernet
// frame from a packet socket, as keepalived does, with the VIP itself as IPv6 source.

#include <array>
#include <cstdint>

#include "net/garp.hpp"
#include "net/ip_address.hpp"

namespace redkeep::net {

/// Length of the frame: Ethernet header 14 + IPv6 header 40 + Neighbor Advertisement 24 +
/// Target Link-Layer Address option 8.
constexpr std::size_t kNeighborAdvertFrameSize = 86;
using NeighborAdvertFrame = std::array<std::uint8_t, kNeighborAdvertFrameSize>;

/// Builds the unsolicited Neighbor Advertisement frame for `vip` sent from `src_mac`, all
/// fields in network byte order: Ethernet to 33:33:00:00:00:01 (the all-nodes group's MAC,
/// RFC 2464 section 7), EtherType 0x86dd; IPv6 from `vip` to ff02::1, hop limit 255 (receivers
/// drop Neighbor Discovery with any other, RFC 4861 section 7.1.2), next header 58 (ICMPv6);
/// ICMPv6 type 136 code 0, flags Override only (not Router, not Solicited), target `vip`,
/// option 2 (Target Link-Layer Address) = src_mac; the checksum over the IPv6 pseudo-header
/// (RFC 8200 section 8.1). Precondition: !vip.is_v4().
NeighborAdvertFrame build_unsolicited_na(const MacAddress& src_mac, const IpAddress& vip);

}  // namespace redkeep::net
