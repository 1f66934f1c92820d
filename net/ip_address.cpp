#include "net/ip_address.hpp"

#include <arpa/inet.h>

#include <cstring>

namespace redkeep::net {

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  std::string s(text);
  IpAddress a;
  if (inet_pton(AF_INET, s.c_str(), a.bytes_.data()) == 1) {
    a.family_ = Family::ipv4;
    return a;
  }
  if (inet_pton(AF_INET6, s.c_str(), a.bytes_.data()) == 1) {
    a.family_ = Family::ipv6;
    return a;
  }
  return std::nullopt;
}

IpAddress IpAddress::v4(const std::uint8_t* network_order) {
  IpAddress a;
  std::memcpy(a.bytes_.data(), network_order, 4);
  return a;
}

IpAddress IpAddress::v6(const std::uint8_t* network_order) {
  IpAddress a;
  a.family_ = Family::ipv6;
  std::memcpy(a.bytes_.data(), network_order, 16);
  return a;
}

IpAddress IpAddress::v4_host_order(std::uint32_t host_order) {
  const std::uint8_t b[4] = {static_cast<std::uint8_t>(host_order >> 24),
                             static_cast<std::uint8_t>(host_order >> 16),
                             static_cast<std::uint8_t>(host_order >> 8),
                             static_cast<std::uint8_t>(host_order)};
  return v4(b);
}

std::uint32_t IpAddress::v4_host_order() const {
  return (std::uint32_t{bytes_[0]} << 24) | (std::uint32_t{bytes_[1]} << 16) |
         (std::uint32_t{bytes_[2]} << 8) | std::uint32_t{bytes_[3]};
}

bool IpAddress::is_multicast() const {
  return is_v4() ? (bytes_[0] & 0xf0) == 0xe0 : bytes_[0] == 0xff;
}

bool IpAddress::is_link_local() const {
  return !is_v4() && bytes_[0] == 0xfe && (bytes_[1] & 0xc0) == 0x80;
}

bool IpAddress::is_loopback() const {
  if (is_v4()) return bytes_[0] == 127;
  static constexpr std::array<std::uint8_t, 16> kLoopback{0, 0, 0, 0, 0, 0, 0, 0,
                                                          0, 0, 0, 0, 0, 0, 0, 1};
  return bytes_ == kLoopback;
}

std::string IpAddress::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(is_v4() ? AF_INET : AF_INET6, bytes_.data(), buf, sizeof buf);
  return buf;
}

std::string host_port(const std::string& host, unsigned port) {
  const bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string IpPrefix::to_string() const {
  return address.to_string() + "/" + std::to_string(prefix_length);
}

}  // namespace redkeep::net
