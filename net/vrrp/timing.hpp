#pragma once
// VRRP timer arithmetic: Skew_Time and Master_Down_Interval (RFC 3768 section
// 6.1 for v2, RFC 5798 section 6.1 for v3). Pure functions, no clock.

#include <chrono>
#include <cstdint>

#include "net/vrrp/version.hpp"

namespace redkeep::net::vrrp {

/// Advertisement intervals as configured and as carried by VRRPv3 (12-bit
/// field, centiseconds). VRRPv2 carries whole seconds; callers convert.
using Centiseconds = std::chrono::duration<std::int64_t, std::centi>;

/// Timer durations. Microseconds because v2 Skew_Time = (256 - priority)/256 s
/// is not a whole number of centiseconds (keepalived also keeps microseconds).
using Microseconds = std::chrono::microseconds;

/// Skew_Time for a router of `priority` (0..255, the *effective* priority as
/// keepalived uses it).
/// - v2 (RFC 3768 6.1): (256 - priority) / 256 seconds; master_adver_interval
///   is not used.
/// - v3 (RFC 5798 6.1): ((256 - priority) x Master_Adver_Interval) / 256.
/// Truncated to whole microseconds, as keepalived's VRRP_TIMER_SKEW does.
Microseconds skew_time(Version version, std::uint8_t priority, Centiseconds master_adver_interval);

/// Master_Down_Interval = 3 x Master_Adver_Interval + Skew_Time
/// (RFC 3768 / RFC 5798 section 6.1). For v2 Master_Adver_Interval is the
/// router's own Advertisement_Interval (v2 requires all routers to agree).
Microseconds master_down_interval(Version version, std::uint8_t priority,
                                  Centiseconds master_adver_interval);

}  // namespace redkeep::net::vrrp
