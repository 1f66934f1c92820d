#pragma once
// Asks the Redis of every known member of the cluster for a sign of life, all at once and
// within a deadline: one PING on a kept TCP connection (opened again when it breaks). What
// matters is that the member's node can be reached, not that its Redis is healthy (a
// node cut off from every member must not win the cluster back), so a member counts as
// reached on any reply (an error such as -LOADING or -NOAUTH too), and also when its kernel
// acknowledged our PING (its Redis too busy to answer: DEBUG SLEEP, a long script) or refused
// the connection (its Redis is down, its node is not). No CAF; the member_probe actor runs
// rounds on its own thread.

#include <chrono>
#include <cstdint>
#include <functional>
#include <vector>

#include "net/io.hpp"
#include "net/ip_address.hpp"

namespace redkeep::net {

/// A member's Redis: its address and TCP port (host byte order).
struct RedisEndpoint {
  IpAddress address;
  std::uint16_t port = 6379;
  friend bool operator==(const RedisEndpoint& a, const RedisEndpoint& b) {
    return a.address == b.address && a.port == b.port;
  }
  friend bool operator<(const RedisEndpoint& a, const RedisEndpoint& b) {
    return a.address < b.address || (a.address == b.address && a.port < b.port);
  }
};

/// Probes a set of Redis endpoints (IPv4 or IPv6) in parallel. Not thread-safe.
class MemberProber {
 public:
  /// `refused_is_reached`: whether a refused connection counts as reached (a member's node
  /// that answers with its Redis down; false for the VIP watch of a held takeover, where only
  /// a Redis that still serves counts).
  explicit MemberProber(bool refused_is_reached = true) : refused_is_reached_(refused_is_reached) {}

  /// Replaces the set; connections to endpoints still in it are kept.
  void set_members(std::vector<RedisEndpoint> members);
  const std::vector<RedisEndpoint>& members() const { return members_; }

  /// One round: sends PING to every member and waits until each replied, failed or
  /// `timeout` passed. Returns how many were reached (see above). `on_first_reply` (may be
  /// empty) is called when the first is reached, so a caller that needs any sign of life does
  /// not wait for the slowest.
  /// A member that did not reply in time has its connection closed, so a late reply is never
  /// counted in a later round.
  std::size_t round(std::chrono::milliseconds timeout,
                    const std::function<void()>& on_first_reply = {});

 private:
  struct Link {
    UniqueFd fd;
    bool connected = false;
  };
  std::vector<RedisEndpoint> members_;
  std::vector<Link> links_;  // parallel to members_
  bool refused_is_reached_;
};

}  // namespace redkeep::net
