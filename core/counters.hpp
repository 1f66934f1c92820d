#pragma once
// What one instance counts, as shown by `redkeep status` (kept across election restarts).

#include <array>
#include <cstdint>

#include "net/vrrp/reject_reason.hpp"

namespace redkeep::core {

/// The counters of one instance (`redkeep status` -> counters).
struct Counters {
  std::uint64_t adverts_sent = 0;      ///< AdvertOut commands
  std::uint64_t adverts_unsent = 0;    ///< of those, not taken by the kernel
  std::uint64_t adverts_received = 0;  ///< valid adverts for our VRID
  std::uint64_t transitions = 0;       ///< VRRP state changes
  std::uint64_t gratuitous_arps = 0;   ///< sent by the vip actor
  /// Packets dropped, by net::vrrp::RejectReason (index = the enumerator's value).
  std::array<std::uint64_t, net::vrrp::kRejectReasonCount> rejected{};
};

}  // namespace redkeep::core
