#include "net/vrrp/timing.hpp"

namespace redkeep::net::vrrp {

Microseconds skew_time(Version version, std::uint8_t priority, Centiseconds master_adver_interval) {
  const std::int64_t weight = 256 - static_cast<std::int64_t>(priority);
  if (version == Version::v2) return Microseconds(weight * 1'000'000 / 256);
  const std::int64_t interval_us = Microseconds(master_adver_interval).count();
  return Microseconds(weight * interval_us / 256);
}

Microseconds master_down_interval(Version version, std::uint8_t priority,
                                  Centiseconds master_adver_interval) {
  return 3 * Microseconds(master_adver_interval) +
         skew_time(version, priority, master_adver_interval);
}

}  // namespace redkeep::net::vrrp
