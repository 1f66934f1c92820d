#include "net/vrrp/checksum.hpp"

namespace redkeep::net::vrrp {

namespace {
constexpr std::size_t kChecksumOffset = 6;
}  // namespace

std::uint64_t ones_complement_add(const std::uint8_t* data, std::size_t size, std::uint64_t sum) {
  std::size_t i = 0;
  for (; i + 1 < size; i += 2) sum += (std::uint64_t{data[i]} << 8) | data[i + 1];
  if (i < size) sum += std::uint64_t{data[i]} << 8;
  return sum;
}

std::uint16_t fold_checksum(std::uint64_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xffff);
}

std::uint16_t vrrp_checksum(const std::uint8_t* message, std::size_t size, Version version,
                            ChecksumMode mode, const IpAddress& source,
                            const IpAddress& destination) {
  std::uint64_t sum = 0;
  const bool pseudo_header =
      version == Version::v3 && (!source.is_v4() || mode == ChecksumMode::v3_pseudo_header);
  if (pseudo_header) {
    sum = ones_complement_add(source.data(), source.size(), sum);
    sum = ones_complement_add(destination.data(), destination.size(), sum);
    // IPv4 (RFC 768 layout): zero, protocol, 16-bit length. IPv6 (RFC 8200 section 8.1):
    // 32-bit length, three zero bytes, next header. Both sum to length + protocol as long as
    // the length fits 16 bits, and a VRRP message always does.
    sum += kIpProtoVrrp;
    sum += (size >> 16) & 0xffff;
    sum += size & 0xffff;
  }
  // Skip the checksum field itself so the result is the same before and after filling it.
  if (size <= kChecksumOffset) return fold_checksum(ones_complement_add(message, size, sum));
  sum = ones_complement_add(message, kChecksumOffset, sum);
  if (size > kChecksumOffset + 2) {
    sum = ones_complement_add(message + kChecksumOffset + 2, size - kChecksumOffset - 2, sum);
  }
  return fold_checksum(sum);
}

}  // namespace redkeep::net::vrrp
