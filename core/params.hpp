#pragma once
// Everything the configuration of one vrrp_instance means for the protocol, in one place:
// the election's parameters, the Advertisement_Interval that paces probes and ARP bursts, and
// the VIP's lifetime. Derived through net/vrrp/timing, never re-derived by hand.

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "config/model.hpp"
#include "net/ip_address.hpp"
#include "net/vrrp/state_machine.hpp"
#include "net/vrrp/validate.hpp"

namespace redkeep::core {

/// The state machine's parameters for `instance`, with `primary` as the address of this node
/// (its adverts' source and the RFC tie-break).
net::vrrp::ElectionParams election_params(const config::VrrpInstance& instance,
                                          const net::IpAddress& primary);

/// What a received advert must match, and what our own adverts carry (RFC 3768 / RFC 5798
/// section 7.1; net/vrrp/validate.hpp): version, VRID, authentication, interval, VIPs,
/// checksum mode, unicast peers, and `primary` as our own address.
net::vrrp::Expectation expectation(const config::VrrpInstance& instance,
                                   const net::IpAddress& primary);

/// The configured Advertisement_Interval (RFC 5798 section 6.1), in microseconds: the period
/// of adverts, member probes, ARP bursts for a lower Master and history comparisons.
std::chrono::microseconds advert_interval(const config::VrrpInstance& instance);

/// Valid and preferred lifetime of a VIP, in seconds: the longest Master_Down_Interval any
/// router of this virtual router can have (priority 0's Skew_Time), rounded up, plus 1 s (the
/// kernel's check period). Renewed with every advert, so a Master that stops advertising (frozen,
/// killed with SIGKILL) loses its VIP about when the others take over.
std::uint32_t vip_lifetime_seconds(const config::VrrpInstance& instance);

/// How long a cut-off Master may reach no member before it counts as cut off (DESIGN.md
/// section 3): 2 x Advertisement_Interval.
std::chrono::microseconds alone_bound(const config::VrrpInstance& instance);

/// Where the Redis of the node whose adverts come from `advert_source` listens: its
/// `peer_address` entry, else the advert source itself. nullopt for a link-local source
/// without an entry: an IPv6 advert's source (RFC 5798 section 5.1.2.1), which REPLICAOF
/// cannot use.
std::optional<net::IpAddress> peer_redis_address(const config::VrrpInstance& instance,
                                                 const net::IpAddress& advert_source);

/// The members' Redis addresses the configuration names: each unicast_peer's
/// (peer_redis_address) and every peer_address entry's, this node's own included (callers
/// leave it out), without duplicates.
std::vector<net::IpAddress> configured_redis_members(const config::VrrpInstance& instance);

/// The VIP clients reach Redis at, which the held-takeover check asks: the first VIP that is
/// not link-local (an IPv6 instance's first VIP is, RFC 5798 section 5.2.9, and connecting to
/// it would need the interface). nullopt when every VIP is link-local.
std::optional<net::IpAddress> client_vip(const config::VrrpInstance& instance);

/// A stopping Master waits this long at most for the new master's advert before it exits with
/// its Redis left as it is: Master_Down_Interval + 1 s, capped at 8 s (with advert_int 255 it
/// would be minutes, beyond any service manager's stop timeout: Docker's is 10 s).
std::chrono::microseconds stop_wait(std::chrono::microseconds master_down_interval);

}  // namespace redkeep::core
