#pragma once
// An IP address that carries its family, so IPv6 (RFC 5798 over ff02::12) can
// follow without changing every signature. Pure: no sockets.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace redkeep::net {

/// Address family of an IpAddress.
enum class Family : std::uint8_t { ipv4 = 4, ipv6 = 6 };

/// An IPv4 or IPv6 address, stored in network byte order.
/// Ordering compares family first, then the bytes as an unsigned big-endian
/// number: that is the "higher primary IP address" of RFC 5798 section 6.4.3.
class IpAddress {
 public:
  IpAddress() = default;

  /// Parses dotted-quad IPv4 or textual IPv6; nullopt when the text is neither.
  static std::optional<IpAddress> parse(std::string_view text);

  /// Builds an IPv4 address from 4 bytes in network byte order.
  static IpAddress v4(const std::uint8_t* network_order);

  /// Builds an IPv6 address from 16 bytes in network byte order.
  static IpAddress v6(const std::uint8_t* network_order);

  /// Builds an IPv4 address from a 32-bit value in host byte order.
  static IpAddress v4_host_order(std::uint32_t host_order);

  Family family() const { return family_; }
  bool is_v4() const { return family_ == Family::ipv4; }

  /// Address length in bytes: 4 or 16.
  std::size_t size() const { return is_v4() ? 4 : 16; }

  /// Raw bytes in network byte order; size() of them are meaningful.
  const std::uint8_t* data() const { return bytes_.data(); }

  /// IPv4 only: the address as a 32-bit value in host byte order.
  std::uint32_t v4_host_order() const;

  /// True for IPv4 224.0.0.0/4 and IPv6 ff00::/8.
  bool is_multicast() const;

  /// True for IPv6 fe80::/10 (RFC 4291 section 2.5.6): valid on one link only, so useless
  /// as a Redis address or a unicast peer without naming the interface. False for IPv4.
  bool is_link_local() const;

  /// True for IPv4 127.0.0.0/8 and IPv6 ::1.
  bool is_loopback() const;

  std::string to_string() const;

  friend bool operator==(const IpAddress& a, const IpAddress& b) {
    return a.family_ == b.family_ && a.bytes_ == b.bytes_;
  }
  friend bool operator!=(const IpAddress& a, const IpAddress& b) { return !(a == b); }
  friend bool operator<(const IpAddress& a, const IpAddress& b) {
    if (a.family_ != b.family_) return a.family_ < b.family_;
    return a.bytes_ < b.bytes_;
  }
  friend bool operator>(const IpAddress& a, const IpAddress& b) { return b < a; }

 private:
  Family family_ = Family::ipv4;
  std::array<std::uint8_t, 16> bytes_{};
};

/// `host`:`port` as people write it: an IPv6 address in brackets ("[2001:db8::1]:6379", RFC
/// 3986 section 3.2.2), a name or an IPv4 address as it is ("192.0.2.1:6379").
std::string host_port(const std::string& host, unsigned port);

/// An address with a prefix length, as written in `virtual_ipaddress`
/// (`192.0.2.100/24`).
struct IpPrefix {
  IpAddress address;
  std::uint8_t prefix_length = 32;  ///< 0..32 for IPv4, 0..128 for IPv6

  std::string to_string() const;
  friend bool operator==(const IpPrefix& a, const IpPrefix& b) {
    return a.address == b.address && a.prefix_length == b.prefix_length;
  }
};

}  // namespace redkeep::net
