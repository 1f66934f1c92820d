#pragma once
// Why a received VRRP packet was dropped. Each reason is a counter key and a log word.

#include <cstddef>
#include <cstdint>

namespace redkeep::net::vrrp {

/// Why receive() (or decode()) dropped a packet, in the order the checks run
/// (RFC 3768 section 7.1 / RFC 5798 section 7.1, then redkeep's own source filters).
enum class RejectReason : std::uint8_t {
  ip_header,         ///< IPv4 header short or malformed (version, IHL), or protocol != 112
  ttl,               ///< IP TTL != 255 (multicast destination, or any destination when
                     ///< not in unicast mode)
  version,           ///< VRRP version is neither 2 nor 3
  version_mismatch,  ///< a valid other version: v2 packet for a v3 instance or the reverse
  length,            ///< IPv4 total length != bytes received, VRRP message shorter than its
                     ///< fixed header, or message length != what Count IPvX Addr implies
  checksum,          ///< VRRP checksum wrong (for v3 IPv4: in the configured ChecksumMode)
  type,              ///< Type != 1 (ADVERTISEMENT), RFC 5798 section 5.2.2
  vrid,              ///< another VRID: not an error, ignored, reported so it can be counted
  own_address,       ///< source is our own address: our advert looped back
  unicast_peer,      ///< unicast mode and the source is not in unicast_peer
  auth_type,         ///< v2 Auth Type differs from ours (or we are configured for AH)
  auth_password,     ///< v2 PASS: the 8 authentication bytes differ from auth_pass
  interval,          ///< v2 Adver Int differs from our advert_int (RFC 3768 section 7.1)
  address_list,      ///< Count IPvX Addr or the address set differs from our VIPs and the
                     ///< sender's priority is not 255 (RFC 3768 / RFC 5798 section 7.1)
  source_address,    ///< IPv6 multicast mode and the source is not link-local (RFC 5798
                     ///< section 5.1.2.1): not a router on this link, and a Master the data
                     ///< rules would follow to its source
};

/// Number of RejectReason values, for per-reason counter arrays.
inline constexpr std::size_t kRejectReasonCount =
    static_cast<std::size_t>(RejectReason::source_address) + 1;

/// Short stable snake_case name ("ip_header", "ttl", ...), equal to the enumerator's name: used
/// as the counter key and in log lines. Never null; "unknown" for an out-of-range value.
const char* to_string(RejectReason reason);

}  // namespace redkeep::net::vrrp
