#pragma once
// The raw socket that carries VRRP advertisements (IP protocol 112) on one interface, set up
// as keepalived does: bound to the interface, joined to 224.0.0.18 (IPv4) or ff02::12 (IPv6)
// there, TTL / hop limit 255 for multicast and unicast (RFC 3768 section 7.1 / RFC 5798
// sections 5.1.1.3 and 5.1.2.3: receivers drop any other), no multicast loopback of our own
// adverts, TOS / traffic class "internetwork control". The family is the source address's.
// Non-blocking: poll fd(), then receive(0).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "net/io.hpp"
#include "net/ip_address.hpp"
#include "net/vrrp/version.hpp"

namespace redkeep::net {

class Netlink;

/// The VRRP IPv4 multicast group 224.0.0.18 (RFC 3768 section 5.2.2).
IpAddress vrrp_group_v4();

/// The VRRP IPv6 multicast group ff02::12 (RFC 5798 section 5.1.2.2).
IpAddress vrrp_group_v6();

/// How to open an AdvertSocket.
struct AdvertSocketOptions {
  int ifindex = 0;  ///< the VRRP instance's `interface`
  /// Source address of sent adverts: the interface's primary address (primary_address()), for
  /// IPv6 its link-local address (RFC 5798 section 5.1.2.1), or keepalived's
  /// `unicast_src_ip`. Must be an address of this host in the socket's namespace; set per packet
  /// (IP_PKTINFO / IPV6_PKTINFO), so a VIP that becomes the interface's first address does not
  /// become the advert source. Its family is the socket's.
  IpAddress source;
  /// Join the group on the interface (multicast mode). False in unicast mode
  /// (`unicast_peer`), where only packets addressed to this host arrive.
  bool join_group = true;
};

/// One packet as received. IPv4: the IPv4 header (RFC 791, network byte order) followed by the
/// VRRP message, exactly as on the wire; the caller validates TTL, protocol and lengths. IPv6:
/// the VRRP message only (a raw IPv6 socket delivers no header), its source and hop limit
/// taken from the socket (IPV6_RECVHOPLIMIT) for vrrp::receive_ipv6().
struct ReceivedPacket {
  std::vector<std::uint8_t> packet;
  int ifindex = 0;        ///< interface it arrived on (IP_PKTINFO / IPV6_PKTINFO)
  IpAddress destination;  ///< its destination address (group or one of ours)
  IpAddress source;       ///< IPv6 only: the sender's address
  std::uint8_t hop_limit = 0;  ///< IPv6 only
};

/// Raw socket (AF_INET, SOCK_RAW, IPPROTO_VRRP) in the namespace of the thread that opened it.
/// Needs CAP_NET_RAW. Movable, not copyable.
class AdvertSocket {
 public:
  /// Opens and configures the socket: SO_BINDTODEVICE (by index), then for IPv4
  /// IP_ADD_MEMBERSHIP with ip_mreqn{224.0.0.18, ifindex} when join_group, IP_MULTICAST_IF,
  /// IP_MULTICAST_TTL and IP_TTL 255, IP_MULTICAST_LOOP 0, IP_MULTICAST_ALL 0 (only groups
  /// joined here), IP_TOS 0xc0, IP_PKTINFO; for IPv6 the same with IPV6_JOIN_GROUP ff02::12,
  /// IPV6_MULTICAST_IF, IPV6_MULTICAST_HOPS and IPV6_UNICAST_HOPS 255, IPV6_MULTICAST_LOOP 0,
  /// IPV6_MULTICAST_ALL 0, IPV6_TCLASS 0xc0, IPV6_RECVPKTINFO and IPV6_RECVHOPLIMIT. Errors
  /// name the option and the interface.
  static IoResult<AdvertSocket> open(const AdvertSocketOptions& options);

  int fd() const { return fd_.get(); }
  const AdvertSocketOptions& options() const { return options_; }

  /// Sends one VRRP message (`size` bytes: VRRP header, addresses, auth data, the checksum
  /// filled in; the kernel adds the IP header) to `destination`: the group in multicast mode,
  /// or one `unicast_peer` (call once per peer), of the socket's family (else EAFNOSUPPORT).
  /// Never blocks (EAGAIN is returned as an error).
  IoStatus send_to(const IpAddress& destination, const std::uint8_t* data, std::size_t size);
  IoStatus send_to(const IpAddress& destination, const std::vector<std::uint8_t>& message) {
    return send_to(destination, message.data(), message.size());
  }

  /// Receives one packet, waiting at most `timeout_ms` milliseconds (0 = only what is already
  /// queued). nullopt when nothing arrived in time.
  IoResult<std::optional<ReceivedPacket>> receive(int timeout_ms);

 private:
  AdvertSocket(UniqueFd fd, AdvertSocketOptions options, std::string where)
      : fd_(std::move(fd)), options_(std::move(options)), where_(std::move(where)) {}
  UniqueFd fd_;
  AdvertSocketOptions options_;
  std::string where_;  ///< "ifindex N (name)", for error messages
};

/// The address adverts should come from: the first IPv4 address of `ifindex`, in the kernel's
/// order (primary addresses first), that is not in `exclude` (the instance's VIPs, which come
/// and go); for `Family::ipv6` its first link-local (fe80::/10) address not in `exclude`
/// (RFC 5798 section 5.1.2.1). Errors: EADDRNOTAVAIL when the interface has no such address,
/// netlink errors.
IoResult<IpAddress> primary_address(Netlink& netlink, int ifindex,
                                    const std::vector<IpAddress>& exclude,
                                    Family family = Family::ipv4);

}  // namespace redkeep::net
