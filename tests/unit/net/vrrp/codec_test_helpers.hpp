#pragma once
// Helpers shared by the VRRP codec tests: hex <-> bytes, wrapping a VRRP message in an IPv4
// header the way a raw IPPROTO_VRRP socket delivers it, reading fixture files.

#include <cctype>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "net/ip_address.hpp"

namespace redkeep::net::vrrp::test {

using Bytes = std::vector<std::uint8_t>;

inline Bytes from_hex(const std::string& text) {
  Bytes out;
  int hi = -1;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) continue;
    const int v = std::isdigit(static_cast<unsigned char>(c))
                      ? c - '0'
                      : std::tolower(static_cast<unsigned char>(c)) - 'a' + 10;
    if (v < 0 || v > 15) throw std::invalid_argument("bad hex: " + text);
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<std::uint8_t>(hi << 4 | v));
      hi = -1;
    }
  }
  if (hi >= 0) throw std::invalid_argument("odd hex: " + text);
  return out;
}

inline std::string to_hex(const Bytes& b) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (auto x : b) {
    s += digits[x >> 4];
    s += digits[x & 0xf];
  }
  return s;
}

inline IpAddress ip(const char* text) { return *IpAddress::parse(text); }

/// An IPv4 header (IHL = 5 + options/4, protocol 112, header checksum left 0: the kernel has
/// checked it before a raw socket sees the packet) followed by `message`.
inline Bytes ipv4_wrap(const Bytes& message, const IpAddress& src, const IpAddress& dst,
                       std::uint8_t ttl = 255, const Bytes& options = {},
                       std::uint8_t protocol = 112) {
  const std::size_t ihl = 20 + options.size();
  const std::size_t total = ihl + message.size();
  Bytes p = {static_cast<std::uint8_t>(0x40 | (ihl / 4)), 0xc0,
             static_cast<std::uint8_t>(total >> 8), static_cast<std::uint8_t>(total),
             0, 1, 0, 0, ttl, protocol, 0, 0};
  p.insert(p.end(), src.data(), src.data() + 4);
  p.insert(p.end(), dst.data(), dst.data() + 4);
  p.insert(p.end(), options.begin(), options.end());
  p.insert(p.end(), message.begin(), message.end());
  return p;
}

/// The hex bytes of a fixture file under tests/fixtures, skipping '#' comment lines.
inline Bytes read_hex_fixture(const std::string& relative) {
  std::ifstream in(std::string(REDKEEP_FIXTURES_DIR) + "/" + relative);
  if (!in) throw std::runtime_error("missing fixture " + relative);
  std::string line, hex;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] == '#') continue;
    hex += line;
  }
  return from_hex(hex);
}

}  // namespace redkeep::net::vrrp::test
