// An IpAddress as the socket calls (connect, bind, sendmsg) take it.
#pragma once

#include <sys/socket.h>

#include <cstdint>

#include "net/ip_address.hpp"

namespace redkeep::net {

/// A sockaddr_in or sockaddr_in6 and its length, for connect(), bind() and msghdr::msg_name.
struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
  sockaddr* get() { return reinterpret_cast<sockaddr*>(&storage); }
};

/// `address` with `port` (host byte order; 0 for raw sockets and bind probes). `scope_id` is the
/// interface index an IPv6 link-local or multicast address needs; ignored for IPv4.
SocketAddress socket_address(const IpAddress& address, std::uint16_t port = 0,
                             std::uint32_t scope_id = 0);

}  // namespace redkeep::net
