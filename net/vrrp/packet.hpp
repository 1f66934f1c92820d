#pragma once
// VRRP advertisement codec (RFC 3768 section 5.1 for v2, RFC 5798 section 5.1 for v3), IPv4
// first; IpAddress carries the family so v3 over IPv6 fits the same types. Pure: no sockets.
//
//  v2:  | Ver=2 | Type=1 | VRID | Priority | Count IP Addrs |
//       | Auth Type | Adver Int (s) | Checksum |  addresses (4 each)  | Auth Data (8) |
//  v3:  | Ver=3 | Type=1 | VRID | Priority | Count IPvX Addr |
//       | rsvd(4) Max Adver Int (12 bits, cs) | Checksum |  addresses (4 or 16 each)  |

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "net/ip_address.hpp"
#include "net/vrrp/checksum.hpp"
#include "net/vrrp/reject_reason.hpp"
#include "net/vrrp/version.hpp"

namespace redkeep::net::vrrp {

/// The only VRRP packet type: ADVERTISEMENT.
inline constexpr std::uint8_t kTypeAdvertisement = 1;
/// Length of the v2 Authentication Data field.
inline constexpr std::size_t kAuthDataSize = 8;

/// v2 Auth Type (RFC 3768 section 5.3.6; RFC 2338 for simple_text and ip_ah).
enum class AuthType : std::uint8_t {
  none = 0,
  simple_text = 1,  ///< keepalived `auth_type PASS`
  ip_ah = 2,        ///< keepalived `auth_type AH`: not supported by redkeep
};

/// One VRRP advertisement, version-independent. Type is always 1 (ADVERTISEMENT).
struct Advert {
  Version version = Version::v2;
  std::uint8_t vrid = 0;
  std::uint8_t priority = 0;  ///< 0 = master resigning, 255 = address owner
  /// Advertisement interval in centiseconds for both versions. The v2 wire carries whole
  /// seconds (8 bits), v3 centiseconds (12 bits).
  std::uint16_t adver_int_cs = 100;
  AuthType auth_type = AuthType::none;  ///< v2 only; v3 decodes as none
  /// v2 Authentication Data as on the wire: the PASS password zero-padded to 8 bytes. Sent
  /// only for simple_text (zeros otherwise, RFC 3768 section 5.3.10); v3 decodes as zeros.
  std::array<std::uint8_t, kAuthDataSize> auth_data{};
  std::vector<IpAddress> addresses;  ///< the virtual addresses, in wire order
};

/// An advert with the IP header fields the state machine and validation need.
struct ReceivedAdvert {
  IpAddress source;       ///< IP source: the sender's primary address (RFC tie-break)
  IpAddress destination;  ///< 224.0.0.18 (ff02::12), or our address in unicast mode
  std::uint8_t ttl = 0;
  Advert advert;
};

/// Why encode() refused an Advert.
enum class EncodeError : std::uint8_t {
  interval_not_whole_seconds,  ///< v2 adver_int_cs not a multiple of 100
  interval_out_of_range,       ///< v2: not 1..255 s; v3: not 1..4095 cs
  too_many_addresses,          ///< more than 255 (8-bit Count IPvX Addr)
  address_family,  ///< source/destination/addresses of mixed families, or v2 over IPv6
};

/// Short stable snake_case name of an EncodeError, for logs.
const char* to_string(EncodeError error);

/// Encodes the VRRP message only (header, addresses, v2 authentication data), checksum filled
/// in: the kernel's raw socket adds the IP header. `source`/`destination` are the IP addresses
/// the packet will carry; they enter the v3 pseudo-header checksum and fix the address family.
/// Returns the bytes, or the first EncodeError (no exception).
std::variant<std::vector<std::uint8_t>, EncodeError> encode(const Advert& advert,
                                                            const IpAddress& source,
                                                            const IpAddress& destination,
                                                            ChecksumMode mode);

/// The IP header fields of a received packet (IPv4: from its header; IPv6: from the socket's
/// ancillary data, the hop limit as `ttl`) and where its payload lies inside the caller's buffer
/// (the view is only valid while that buffer lives).
struct IpPacket {
  IpAddress source;
  IpAddress destination;
  std::uint8_t ttl = 0;
  const std::uint8_t* payload = nullptr;  ///< after the header and its options
  std::size_t payload_size = 0;
};

/// Parses the IPv4 header of a packet as a raw IPPROTO_VRRP socket delivers it (header with
/// options, IHL > 5 allowed, then the payload). Rejects with ip_header when the buffer is
/// shorter than 20 bytes or than IHL x 4, when version != 4, IHL < 5, total length < IHL x 4
/// or protocol != 112; with length when total length != `size` (the kernel delivers exactly one
/// datagram, so any difference is a truncated or padded buffer). The header checksum is not
/// checked: the kernel drops bad ones before raw delivery. Never reads outside data[0..size).
std::variant<IpPacket, RejectReason> parse_ipv4_packet(const std::uint8_t* data,
                                                         std::size_t size);

/// Decodes a VRRP message (the IP payload) received with the given IP source/destination.
/// Checks, in RFC 5798 section 7.1 order: version is 2 or 3 (else version), equals
/// `expected_version` when given (else version_mismatch), v2 only over IPv4 (else version),
/// message length is exactly header + Count x address size (+ 8 for v2) (else length),
/// checksum (else checksum), type is 1 (else type). Nothing about VRID, auth or VIPs. v3
/// reserved bits are ignored (RFC 5798 section 5.2.5). Never reads outside message[0..size).
std::variant<Advert, RejectReason> decode_message(
    const std::uint8_t* message, std::size_t size, const IpAddress& source,
    const IpAddress& destination, ChecksumMode mode,
    std::optional<Version> expected_version = std::nullopt);

/// parse_ipv4_packet() then decode_message() with no expected version: the structural decode of
/// a whole received IPv4 packet, without TTL or any per-instance check (see receive() in
/// validate.hpp for those).
std::variant<ReceivedAdvert, RejectReason> decode(const std::uint8_t* data, std::size_t size,
                                                  ChecksumMode mode);

}  // namespace redkeep::net::vrrp
