#include "net/socket_address.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

namespace redkeep::net {

SocketAddress socket_address(const IpAddress& address, std::uint16_t port,
                             std::uint32_t scope_id) {
  SocketAddress out;
  if (address.is_v4()) {
    auto* in = reinterpret_cast<sockaddr_in*>(&out.storage);
    in->sin_family = AF_INET;
    in->sin_port = htons(port);
    std::memcpy(&in->sin_addr, address.data(), 4);
    out.length = sizeof *in;
  } else {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&out.storage);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    std::memcpy(&in6->sin6_addr, address.data(), 16);
    in6->sin6_scope_id = scope_id;
    out.length = sizeof *in6;
  }
  return out;
}

}  // namespace redkeep::net
