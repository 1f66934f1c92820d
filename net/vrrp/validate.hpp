#pragma once
// Receive validation of VRRP adverts against one configured instance (RFC 3768 section 7.1,
// RFC 5798 section 7.1, keepalived's unicast and own-address filters). Pure: no sockets.

#include <array>
#include <cstddef>
#include <cstdint>
#include <variant>
#include <vector>

#include "net/ip_address.hpp"
#include "net/vrrp/checksum.hpp"
#include "net/vrrp/packet.hpp"
#include "net/vrrp/reject_reason.hpp"
#include "net/vrrp/version.hpp"

namespace redkeep::net::vrrp {

/// What one configured VRRP instance accepts (keepalived `vrrp_instance` keywords).
struct Expectation {
  Version version = Version::v2;  ///< `version` / `vrrp_version`
  std::uint8_t vrid = 0;          ///< `virtual_router_id`
  AuthType auth_type = AuthType::none;  ///< `authentication { auth_type }`; ignored for v3
  /// `auth_pass`, zero-padded to 8 bytes (keepalived truncates longer passwords to 8).
  std::array<std::uint8_t, kAuthDataSize> auth_pass{};
  /// `advert_int` in centiseconds; compared with v2 adverts only (v3 backups learn the master's
  /// interval, RFC 5798 section 6.4.2).
  std::uint16_t adver_int_cs = 100;
  std::vector<IpAddress> vips;  ///< `virtual_ipaddress` addresses (prefix lengths not sent)
  ChecksumMode checksum_mode = ChecksumMode::v3_pseudo_header;  ///< `v3_checksum_as_v2`
  bool unicast = false;                ///< `unicast_peer` configured
  std::vector<IpAddress> unicast_peers;  ///< `unicast_peer { ... }`
  IpAddress own_address;               ///< our primary / `unicast_src_ip` address
};

/// Decodes and validates a whole received IPv4 packet (header with options + VRRP message, as a
/// raw IPPROTO_VRRP socket delivers it) for the instance described by `expected`.
/// Checks, first failure wins:
///  1. IPv4 header (ip_header, length): see parse_ipv4_packet().
///  2. TTL == 255 (ttl), for a multicast destination always, and for a unicast destination
///     unless `expected.unicast`: unicast adverts may cross routers (keepalived's unicast mode
///     is used across subnets), each hop decrementing the TTL, so keepalived checks unicast TTL
///     only when told to; RFC 3768/5798 7.1 otherwise.
///  3. version, version_mismatch, length, checksum, type: see decode_message().
///  4. VRID == expected.vrid (vrid: another router's traffic, to be ignored, not logged loudly).
///  5. source != own_address (own_address); over IPv6 without unicast, a link-local source
///     (source_address, RFC 5798 section 5.1.2.1); in unicast mode, source in unicast_peers
///     (unicast_peer). After the VRID check so several instances sharing a socket count each
///     other's adverts as vrid, not as looped-back ones.
///  6. v2 only: Auth Type == expected (auth_type; always fails when AH is expected, AH is not
///     supported); for simple_text the 8 bytes equal auth_pass, compared in constant time
///     (auth_password). RFC 3768 7.1.
///  7. v2 only: Adver Int x 100 == adver_int_cs (interval). RFC 3768 7.1.
///  8. unless priority == 255: Count IPvX Addr == vips.size() and the same address set, in any
///     order (address_list). RFC 3768 / RFC 5798 7.1; keepalived compares the same way.
/// Priority 0 adverts are accepted (the master resigning). Never reads outside data[0..size).
std::variant<ReceivedAdvert, RejectReason> receive(const std::uint8_t* data, std::size_t size,
                                                   const Expectation& expected);

/// receive() for VRRPv3 over IPv6 (RFC 5798): a raw IPv6 socket delivers the VRRP message
/// without the IP header, so the source, the destination (IPV6_RECVPKTINFO) and the hop limit
/// (IPV6_RECVHOPLIMIT) come from the socket's ancillary data. The same checks from step 2 on,
/// the hop limit in place of the TTL (RFC 5798 section 7.1: 255). `source` and `destination`
/// must be IPv6 addresses; the checksum always covers the IPv6 pseudo-header. Never reads
/// outside message[0..size).
std::variant<ReceivedAdvert, RejectReason> receive_ipv6(const std::uint8_t* message,
                                                        std::size_t size,
                                                        const IpAddress& source,
                                                        const IpAddress& destination,
                                                        std::uint8_t hop_limit,
                                                        const Expectation& expected);

/// Compares n bytes in time independent of where they differ (password check).
bool constant_time_equal(const std::uint8_t* a, const std::uint8_t* b, std::size_t n);

}  // namespace redkeep::net::vrrp
