#include "net/vrrp/validate.hpp"

#include <algorithm>

namespace redkeep::net::vrrp {

namespace {

bool same_address_set(std::vector<IpAddress> a, std::vector<IpAddress> b) {
  if (a.size() != b.size()) return false;
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return a == b;
}

}  // namespace

bool constant_time_equal(const std::uint8_t* a, const std::uint8_t* b, std::size_t n) {
  // volatile keeps the compiler from turning the loop into an early-exit memcmp.
  volatile std::uint8_t diff = 0;
  for (std::size_t i = 0; i < n; ++i) diff = diff | static_cast<std::uint8_t>(a[i] ^ b[i]);
  return diff == 0;
}

namespace {

/// Steps 2 to 8 of receive() on a message whose IP header fields are known.
std::variant<ReceivedAdvert, RejectReason> check(const IpPacket& p,
                                                 const Expectation& expected) {
  if ((!expected.unicast || p.destination.is_multicast()) && p.ttl != kVrrpTtl) {
    return RejectReason::ttl;
  }

  auto decoded = decode_message(p.payload, p.payload_size, p.source, p.destination,
                                expected.checksum_mode, expected.version);
  if (auto* reason = std::get_if<RejectReason>(&decoded)) return *reason;
  Advert& advert = std::get<Advert>(decoded);

  if (advert.vrid != expected.vrid) return RejectReason::vrid;
  if (p.source == expected.own_address) return RejectReason::own_address;
  // Over IPv6 a router advertises from its link-local address; without unicast_peer to vouch
  // for a global one, a global source is no router of this link.
  if (!expected.unicast && !p.source.is_v4() && !p.source.is_link_local())
    return RejectReason::source_address;
  if (expected.unicast &&
      std::find(expected.unicast_peers.begin(), expected.unicast_peers.end(), p.source) ==
          expected.unicast_peers.end()) {
    return RejectReason::unicast_peer;
  }

  if (advert.version == Version::v2) {
    if (expected.auth_type == AuthType::ip_ah || advert.auth_type != expected.auth_type) {
      return RejectReason::auth_type;
    }
    if (expected.auth_type == AuthType::simple_text &&
        !constant_time_equal(advert.auth_data.data(), expected.auth_pass.data(), kAuthDataSize)) {
      return RejectReason::auth_password;
    }
    if (advert.adver_int_cs != expected.adver_int_cs) return RejectReason::interval;
  }

  if (advert.priority != 255 && !same_address_set(advert.addresses, expected.vips)) {
    return RejectReason::address_list;
  }

  ReceivedAdvert r;
  r.source = p.source;
  r.destination = p.destination;
  r.ttl = p.ttl;
  r.advert = std::move(advert);
  return r;
}

}  // namespace

std::variant<ReceivedAdvert, RejectReason> receive(const std::uint8_t* data, std::size_t size,
                                                   const Expectation& expected) {
  auto ip = parse_ipv4_packet(data, size);
  if (auto* reason = std::get_if<RejectReason>(&ip)) return *reason;
  return check(std::get<IpPacket>(ip), expected);
}

std::variant<ReceivedAdvert, RejectReason> receive_ipv6(const std::uint8_t* message,
                                                        std::size_t size,
                                                        const IpAddress& source,
                                                        const IpAddress& destination,
                                                        std::uint8_t hop_limit,
                                                        const Expectation& expected) {
  if (source.is_v4() || destination.is_v4()) return RejectReason::ip_header;
  return check(IpPacket{source, destination, hop_limit, message, size}, expected);
}

}  // namespace redkeep::net::vrrp
