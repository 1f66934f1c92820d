#pragma once
// Switchover, the policy part: whether this node may be a switchover's target,
// how long the Master's writes stay paused, and how long the target keeps priority 254. The
// orchestration (pause, catch-up, takeover, release) runs in core::Instance and the switchover
// actor; this file has no I/O.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "net/ip_address.hpp"
#include "net/vrrp/state_machine.hpp"

namespace redkeep::core {

/// What the refusal looks at, read from the instance when a switchover is asked for.
struct SwitchoverFacts {
  net::vrrp::State state = net::vrrp::State::initialize;
  bool has_redis = false;
  bool stopping = false;
  bool in_progress = false;              ///< another switchover of this instance runs
  std::string not_eligible;              ///< Eligibility::reason(); empty when eligible
  std::optional<net::IpAddress> master;  ///< the Master heard within Master_Down_Interval
  std::uint8_t master_priority = 0;      ///< its last advertised priority
  bool synced_with_master = false;       ///< our Redis: replica of it, link up, no sync running
  net::IpAddress own_address;            ///< this node's primary address (the RFC tie-break)
  bool nopreempt = false;                ///< this instance's nopreempt (the cluster's, as in
                                         ///< the recipe every node sets it)
};

/// Why this node cannot be a switchover's target now (a sentence for the operator), or
/// nullopt when it can: it must be an eligible Backup with Redis, following a live Master
/// whose replica it is with the link up, with no other switchover running and not stopping.
/// Its priority 254 must win against the Master's advert (a Master at 254 with a higher
/// address keeps Master, RFC 5798 6.4.3), and it must have `nopreempt`: without it, any node
/// of higher priority would take Master back, without a pause, once the target returns to its
/// configured priority (keepalived and redkeep preempt by default; the recipe sets nopreempt
/// on every node).
std::optional<std::string> switchover_refusal(const SwitchoverFacts& facts);

/// The CLIENT PAUSE duration on the Master, milliseconds: the switchover `timeout` plus a
/// margin (Master_Down_Interval + 1 s) for the takeover and the old Master's demotion, so that
/// a redkeep that dies meanwhile cannot leave writes paused for longer.
std::chrono::milliseconds switchover_pause(std::chrono::milliseconds timeout,
                                           std::chrono::microseconds master_down_interval);

/// Whether a switchover's target still advertises priority 254: while it is Master, for one
/// Master_Down_Interval. By then the old Master has heard it (or has given up on its own
/// timers) and is a Backup, and with nopreempt (switchover_refusal) no Backup takes Master
/// from a live one: its configured priority holds Master from then on.
bool switchover_boost_holds(bool is_master, net::vrrp::TimePoint master_since,
                            net::vrrp::TimePoint now,
                            std::chrono::microseconds master_down_interval);

}  // namespace redkeep::core
