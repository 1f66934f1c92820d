#pragma once
// The VRRP checksum: the Internet checksum (RFC 1071) over the VRRP message, for v3 also over
// the IP pseudo-header. Pure: no sockets.

#include <cstddef>
#include <cstdint>

#include "net/ip_address.hpp"
#include "net/vrrp/version.hpp"

namespace redkeep::net::vrrp {

/// Which bytes a VRRPv3-over-IPv4 checksum covers. VRRPv2 always sums the VRRP message only
/// (RFC 3768 section 5.3.8) and VRRPv3 over IPv6 always includes the IPv6 pseudo-header
/// (RFC 5798 section 5.2.8), whatever the mode.
enum class ChecksumMode : std::uint8_t {
  /// RFC 5798 section 5.2.8: IPv4 pseudo-header + VRRP message. keepalived's and FRR's default,
  /// and the only behaviour of keepalived 2.2.7.
  v3_pseudo_header,
  /// VRRP message only, like v2: keepalived >= 2.2.8 `v3_checksum_as_v2` (RFC 9568 reading,
  /// Cisco interoperability).
  v3_as_v2,
};

/// Adds `size` bytes, as big-endian 16-bit words (an odd last byte padded with zero), to the
/// running 32-bit one's-complement-style accumulator `sum` (RFC 1071). Fold with
/// fold_checksum(). Reads exactly data[0..size).
std::uint64_t ones_complement_add(const std::uint8_t* data, std::size_t size, std::uint64_t sum);

/// Folds an accumulator from ones_complement_add() to 16 bits and complements it: the value to
/// store in a checksum field, in host byte order (write it big-endian).
std::uint16_t fold_checksum(std::uint64_t sum);

/// The VRRP checksum of `message` (the VRRP message only: header, addresses and, for v2, the 8
/// authentication bytes), computed as if the Checksum field (bytes 6..7) were zero, so it serves
/// both to fill the field and to verify a received one (equal = valid). Host byte order.
/// `source`/`destination` are the IP header's addresses; they are used only when the
/// pseudo-header is included (v3 IPv4 with v3_pseudo_header, v3 IPv6 always), and must then have
/// the same family. Reads exactly message[0..size).
std::uint16_t vrrp_checksum(const std::uint8_t* message, std::size_t size, Version version,
                            ChecksumMode mode, const IpAddress& source,
                            const IpAddress& destination);

}  // namespace redkeep::net::vrrp
