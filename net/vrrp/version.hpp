#pragma once
// VRRP protocol version, shared by the packet codec and the election state
// machine so neither depends on the other.

#include <cstdint>

namespace redkeep::net::vrrp {

/// VRRP version: v2 = RFC 3768 (advert interval in whole seconds, auth field),
/// v3 = RFC 5798 / RFC 9568 (interval in centiseconds, no auth). The value is
/// the 4-bit Version field of the VRRP header.
enum class Version : std::uint8_t { v2 = 2, v3 = 3 };

}  // namespace redkeep::net::vrrp
