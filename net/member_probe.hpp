#pragma once
// Asks the Redis of every known member of the cluster for a sign of life, all at once and
// within a deadline: one PING on a kept TCP connection (opened again when it breaks). Any
// reply counts, an error such as -LOADING or -NOAUTH too: what matters is that the member can
// be reached, not that it is healthy (issue 14: a node cut off from every member must not win
// the cluster back). No CAF; the member_probe actor runs rounds on its own thread.

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

/// Probes a set of Redis endpoints in parallel. IPv4 only. Not thread-safe.
class MemberProber {
 public:
  /// Replaces the set; connections to endpoints still in it are kept.
  void set_members(std::vector<RedisEndpoint> members);
  const std::vector<RedisEndpoint>& members() const { return members_; }

  /// One round: sends PING to every member and waits until each replied, failed or
  /// `timeout` passed. Returns how many replied. `on_first_reply` (may be empty) is called at
  /// the first reply, so a caller that needs any sign of life does not wait for the slowest.
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
};

}  // namespace redkeep::net
