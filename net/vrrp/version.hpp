#pragma once
// VRRP protocol version, shared by the packet codec and the election state
// machine so neither depends on the other.

#include <cstdint>

namespace redkeep::net::vrrp {

/// VRRP version: v2 = RFC 3768 (advert interval in whole seconds, auth field),
/// v3 = RFC 5798 / RFC 9568 (interval in centiseconds, no auth). The value is
/// the 4-bit Version field of the VRRP header.
enum class Version : std::uint8_t { v2 = 2, v3 = 3 };

/// IP protocol number of VRRP (RFC 3768 section 5.2.4, RFC 5798 section 5.1.1.4).
inline constexpr std::uint8_t kIpProtoVrrp = 112;
/// TTL (IPv4) / hop limit (IPv6) of every sent advert, required on receive (RFC 3768 section
/// 5.2.3, RFC 5798 section 5.1.1.3).
inline constexpr std::uint8_t kVrrpTtl = 255;

}  // namespace redkeep::net::vrrp
