#pragma once
// Decimal text of fixed-point values (the config keeps durations as whole
// centiseconds or milliseconds). Pure.

#include <cstdint>
#include <string>

namespace redkeep::config {

/// `units` counted in 1/10^decimals as a decimal number without trailing
/// zeros: (150, 2) -> "1.5", (3000, 3) -> "3", (5, 2) -> "0.05".
std::string format_decimal(std::uint64_t units, int decimals);

}  // namespace redkeep::config
