#pragma once
// Gratuitous ARP for a VIP that just moved here, so that hosts and switches on the segment
// update their ARP caches / forwarding tables at once instead of after their cache times out.
// The frame is keepalived's (vrrp_arp.c): a broadcast ARP request whose sender and target
// protocol addresses are both the VIP (RFC 5227 section 3 "ARP Announcement"; RFC 5798
// section 6.4.2 asks a new master to broadcast one per VIP).

#include <array>
#include <cstdint>

#include "net/io.hpp"
#include "net/ip_address.hpp"

namespace redkeep::net {

/// An Ethernet hardware (MAC) address.
using MacAddress = std::array<std::uint8_t, 6>;

/// Length of an Ethernet frame carrying an IPv4-over-Ethernet ARP packet, without FCS:
/// 14 bytes Ethernet header + 28 bytes ARP.
constexpr std::size_t kGratuitousArpFrameSize = 42;
using ArpFrame = std::array<std::uint8_t, kGratuitousArpFrameSize>;

/// Builds the gratuitous ARP frame for `vip` sent from `src_mac`, all fields in network byte
/// order: destination ff:ff:ff:ff:ff:ff, source src_mac, EtherType 0x0806; ARP hardware type 1
/// (Ethernet), protocol 0x0800, lengths 6 and 4, operation 1 (request), sender = (src_mac,
/// vip), target = (ff:ff:ff:ff:ff:ff, vip) as keepalived sends it.
/// Precondition: vip.is_v4() (IPv6 uses unsolicited neighbour advertisements instead).
ArpFrame build_gratuitous_arp(const MacAddress& src_mac, const IpAddress& vip);

/// An AF_PACKET/SOCK_RAW socket that sends gratuitous ARPs (and, for IPv6 VIPs, unsolicited
/// Neighbor Advertisements) on any interface of the network
/// namespace it was opened in. It never receives (protocol 0), so it never needs reading.
/// Sends do not block (MSG_DONTWAIT). Needs CAP_NET_RAW. Movable, not copyable.
class GratuitousArpSender {
 public:
  static IoResult<GratuitousArpSender> open();

  int fd() const { return fd_.get(); }

  /// The MAC address of `ifindex` (SIOCGIFNAME + SIOCGIFHWADDR). Errors: ENODEV, and
  /// EAFNOSUPPORT when the interface is not Ethernet (no ARP to send).
  IoResult<MacAddress> hardware_address(int ifindex);

  /// Announces `vip` out of `ifindex`, from the interface's current MAC: one gratuitous ARP
  /// for an IPv4 VIP, one unsolicited Neighbor Advertisement (net/neighbor_advert.hpp) for an
  /// IPv6 one. Errors: EAFNOSUPPORT for a non-Ethernet interface, ENODEV, ENETDOWN, ...
  IoStatus send(int ifindex, const IpAddress& vip);

 private:
  explicit GratuitousArpSender(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

/// One-shot convenience: opens a sender in the calling thread's namespace and sends one
/// gratuitous ARP for `vip` on `ifindex`.
IoStatus send_gratuitous_arp(int ifindex, const IpAddress& vip);

}  // namespace redkeep::net
