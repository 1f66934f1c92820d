#include "net/vrrp/packet.hpp"

namespace redkeep::net::vrrp {

namespace {

constexpr std::size_t kHeaderSize = 8;  // both versions: fixed part before the addresses
constexpr std::size_t kIpv4MinHeaderSize = 20;
constexpr std::uint16_t kV3MaxInterval = 0x0fff;  // 12-bit Max Adver Int

std::size_t address_size(const IpAddress& a) { return a.size(); }

void put16(std::vector<std::uint8_t>& out, std::size_t at, std::uint16_t v) {
  out[at] = static_cast<std::uint8_t>(v >> 8);
  out[at + 1] = static_cast<std::uint8_t>(v);
}

std::uint16_t get16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>((std::uint16_t{p[0]} << 8) | p[1]);
}

IpAddress address_from(const std::uint8_t* p, bool v4) {
  return v4 ? IpAddress::v4(p) : IpAddress::v6(p);
}

}  // namespace

const char* to_string(EncodeError error) {
  switch (error) {
    case EncodeError::interval_not_whole_seconds:
      return "interval_not_whole_seconds";
    case EncodeError::interval_out_of_range:
      return "interval_out_of_range";
    case EncodeError::too_many_addresses:
      return "too_many_addresses";
    case EncodeError::address_family:
      return "address_family";
  }
  return "unknown";
}

std::variant<std::vector<std::uint8_t>, EncodeError> encode(const Advert& advert,
                                                            const IpAddress& source,
                                                            const IpAddress& destination,
                                                            ChecksumMode mode) {
  const bool v2 = advert.version == Version::v2;
  if (source.family() != destination.family()) return EncodeError::address_family;
  if (v2 && !source.is_v4()) return EncodeError::address_family;
  for (const auto& a : advert.addresses) {
    if (a.family() != source.family()) return EncodeError::address_family;
  }
  if (advert.addresses.size() > 255) return EncodeError::too_many_addresses;
  std::uint8_t interval_byte_hi = 0;
  std::uint8_t interval_byte_lo = 0;
  if (v2) {
    if (advert.adver_int_cs % 100 != 0) return EncodeError::interval_not_whole_seconds;
    const unsigned seconds = advert.adver_int_cs / 100u;
    if (seconds < 1 || seconds > 255) return EncodeError::interval_out_of_range;
    interval_byte_hi = static_cast<std::uint8_t>(advert.auth_type);
    interval_byte_lo = static_cast<std::uint8_t>(seconds);
  } else {
    if (advert.adver_int_cs < 1 || advert.adver_int_cs > kV3MaxInterval) {
      return EncodeError::interval_out_of_range;
    }
    // rsvd (4 bits) = 0, then the 12-bit interval.
    interval_byte_hi = static_cast<std::uint8_t>(advert.adver_int_cs >> 8);
    interval_byte_lo = static_cast<std::uint8_t>(advert.adver_int_cs);
  }

  const std::size_t asize = address_size(source);
  std::vector<std::uint8_t> out(kHeaderSize + asize * advert.addresses.size() +
                                (v2 ? kAuthDataSize : 0));
  out[0] = static_cast<std::uint8_t>((static_cast<unsigned>(advert.version) << 4) |
                                     kTypeAdvertisement);
  out[1] = advert.vrid;
  out[2] = advert.priority;
  out[3] = static_cast<std::uint8_t>(advert.addresses.size());
  out[4] = interval_byte_hi;
  out[5] = interval_byte_lo;
  std::size_t at = kHeaderSize;
  for (const auto& a : advert.addresses) {
    for (std::size_t i = 0; i < asize; ++i) out[at++] = a.data()[i];
  }
  // RFC 3768 section 5.3.10: Authentication Data is zero unless simple text.
  if (v2 && advert.auth_type == AuthType::simple_text) {
    for (std::size_t i = 0; i < kAuthDataSize; ++i) out[at + i] = advert.auth_data[i];
  }
  put16(out, 6,
        vrrp_checksum(out.data(), out.size(), advert.version, mode, source, destination));
  return out;
}

std::variant<IpPacket, RejectReason> parse_ipv4_packet(const std::uint8_t* data,
                                                         std::size_t size) {
  if (data == nullptr || size < kIpv4MinHeaderSize) return RejectReason::ip_header;
  if ((data[0] >> 4) != 4) return RejectReason::ip_header;
  const std::size_t ihl = std::size_t{data[0] & 0x0fu} * 4;
  if (ihl < kIpv4MinHeaderSize || ihl > size) return RejectReason::ip_header;
  const std::size_t total_length = get16(data + 2);
  if (total_length < ihl) return RejectReason::ip_header;
  if (data[9] != kIpProtoVrrp) return RejectReason::ip_header;
  if (total_length != size) return RejectReason::length;
  IpPacket p;
  p.ttl = data[8];
  p.source = IpAddress::v4(data + 12);
  p.destination = IpAddress::v4(data + 16);
  p.payload = data + ihl;
  p.payload_size = total_length - ihl;
  return p;
}

std::variant<Advert, RejectReason> decode_message(const std::uint8_t* message, std::size_t size,
                                                  const IpAddress& source,
                                                  const IpAddress& destination, ChecksumMode mode,
                                                  std::optional<Version> expected_version) {
  // The version nibble is the first byte; without it there is nothing to look at.
  if (message == nullptr || size < 1) return RejectReason::length;
  const unsigned version_field = message[0] >> 4;
  if (version_field != 2 && version_field != 3) return RejectReason::version;
  const Version version = static_cast<Version>(version_field);
  if (expected_version && *expected_version != version) return RejectReason::version_mismatch;
  const bool v2 = version == Version::v2;
  if (v2 && !source.is_v4()) return RejectReason::version;

  if (size < kHeaderSize) return RejectReason::length;
  const std::size_t count = message[3];
  const std::size_t asize = address_size(source);
  const std::size_t expected_size = kHeaderSize + count * asize + (v2 ? kAuthDataSize : 0);
  if (size != expected_size) return RejectReason::length;

  if (vrrp_checksum(message, size, version, mode, source, destination) != get16(message + 6)) {
    return RejectReason::checksum;
  }
  if ((message[0] & 0x0f) != kTypeAdvertisement) return RejectReason::type;

  Advert a;
  a.version = version;
  a.vrid = message[1];
  a.priority = message[2];
  if (v2) {
    a.auth_type = static_cast<AuthType>(message[4]);
    a.adver_int_cs = static_cast<std::uint16_t>(message[5] * 100u);
    for (std::size_t i = 0; i < kAuthDataSize; ++i) {
      a.auth_data[i] = message[kHeaderSize + count * asize + i];
    }
  } else {
    a.auth_type = AuthType::none;
    a.adver_int_cs = get16(message + 4) & kV3MaxInterval;
  }
  a.addresses.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    a.addresses.push_back(address_from(message + kHeaderSize + i * asize, source.is_v4()));
  }
  return a;
}

std::variant<ReceivedAdvert, RejectReason> decode(const std::uint8_t* data, std::size_t size,
                                                  ChecksumMode mode) {
  auto ip = parse_ipv4_packet(data, size);
  if (auto* reason = std::get_if<RejectReason>(&ip)) return *reason;
  const auto& p = std::get<IpPacket>(ip);
  auto message = decode_message(p.payload, p.payload_size, p.source, p.destination, mode);
  if (auto* reason = std::get_if<RejectReason>(&message)) return *reason;
  ReceivedAdvert r;
  r.source = p.source;
  r.destination = p.destination;
  r.ttl = p.ttl;
  r.advert = std::move(std::get<Advert>(message));
  return r;
}

}  // namespace redkeep::net::vrrp
