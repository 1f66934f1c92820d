#include "net/advert_socket.hpp"

#include <arpa/inet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cstring>

#include "net/netlink.hpp"
#include "net/socket_address.hpp"

#ifndef SO_BINDTOIFINDEX
#define SO_BINDTOIFINDEX 62
#endif
#ifndef IPV6_MULTICAST_ALL
#define IPV6_MULTICAST_ALL 29
#endif

namespace redkeep::net {

IpAddress vrrp_group_v4() { return IpAddress::v4_host_order(0xE0000012u); }

IpAddress vrrp_group_v6() { return *IpAddress::parse("ff02::12"); }

namespace {

// The interface's name as the socket's own namespace knows it (ioctl on that socket), for
// messages; if_indextoname() would ask the calling thread's namespace instead.
std::string interface_name(int fd, int ifindex) {
  ifreq ifr{};
  ifr.ifr_ifindex = ifindex;
  if (::ioctl(fd, SIOCGIFNAME, &ifr) < 0) return {};
  return ifr.ifr_name;
}

in_addr to_in_addr(const IpAddress& a) {
  in_addr in{};
  std::memcpy(&in.s_addr, a.data(), 4);
  return in;
}

in6_addr to_in6_addr(const IpAddress& a) {
  in6_addr in{};
  std::memcpy(in.s6_addr, a.data(), 16);
  return in;
}

/// Whether `a` is still an address of this node (of interface `ifindex` for a link-local one):
/// bind() takes only a local address. Asked in the calling thread's network namespace.
bool is_local_address(const IpAddress& a, int ifindex) {
  UniqueFd probe(::socket(a.is_v4() ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!probe.valid()) return true;  // cannot tell: say nothing
  const SocketAddress local = socket_address(a, 0, static_cast<std::uint32_t>(ifindex));
  return ::bind(probe.get(), local.get(), local.length) == 0 || errno != EADDRNOTAVAIL;
}

/// Fills the control message `cm` with `value`.
template <class T>
void put_cmsg(cmsghdr* cm, int level, int type, const T& value) {
  cm->cmsg_level = level;
  cm->cmsg_type = type;
  cm->cmsg_len = CMSG_LEN(sizeof value);
  std::memcpy(CMSG_DATA(cm), &value, sizeof value);
}

/// The IPv6 options of open(); `fail` names the option that failed.
template <class Fail>
std::optional<IoError> configure_v6(int s, const AdvertSocketOptions& options, Fail fail) {
  struct IntOption {
    int name;
    int value;
    const char* text;
  };
  const IntOption ints[] = {
      {IPV6_MULTICAST_HOPS, vrrp::kVrrpTtl, "IPV6_MULTICAST_HOPS 255"},
      {IPV6_UNICAST_HOPS, vrrp::kVrrpTtl, "IPV6_UNICAST_HOPS 255"},
      {IPV6_MULTICAST_LOOP, 0, "IPV6_MULTICAST_LOOP 0"},
      {IPV6_MULTICAST_ALL, 0, "IPV6_MULTICAST_ALL 0"},  // only the groups joined here
      {IPV6_TCLASS, IPTOS_PREC_INTERNETCONTROL, "IPV6_TCLASS 0xc0"},  // as keepalived
      {IPV6_RECVPKTINFO, 1, "IPV6_RECVPKTINFO"},
      {IPV6_RECVHOPLIMIT, 1, "IPV6_RECVHOPLIMIT"},
      {IPV6_MULTICAST_IF, options.ifindex, "IPV6_MULTICAST_IF"},
  };
  for (const auto& o : ints) {
    if (setsockopt(s, IPPROTO_IPV6, o.name, &o.value, sizeof o.value) < 0) return fail(o.text);
  }
  if (options.join_group) {
    ipv6_mreq mreq{};
    mreq.ipv6mr_multiaddr = to_in6_addr(vrrp_group_v6());
    mreq.ipv6mr_interface = static_cast<unsigned>(options.ifindex);
    if (setsockopt(s, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mreq, sizeof mreq) < 0)
      return fail("IPV6_JOIN_GROUP ff02::12");
  }
  return std::nullopt;
}

}  // namespace

IoResult<AdvertSocket> AdvertSocket::open(const AdvertSocketOptions& options) {
  const bool v4 = options.source.is_v4();
  UniqueFd fd(::socket(v4 ? AF_INET : AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
                       vrrp::kIpProtoVrrp));
  if (!fd.valid()) return make_io_error(errno, "open raw socket for IP protocol 112");
  const int s = fd.get();
  const int ifindex = options.ifindex;
  std::string name = interface_name(s, ifindex);
  if (name.empty()) {
    return make_io_error(errno, "open VRRP socket on ifindex " + std::to_string(ifindex));
  }
  const std::string where = "ifindex " + std::to_string(ifindex) + " (" + name + ")";

  auto fail = [&](const char* what) {
    return make_io_error(errno, std::string("set ") + what + " on VRRP socket for " + where);
  };

  // Only this interface: adverts of the same VRID on other interfaces belong to other
  // instances. By index (Linux >= 5.0), by name on older kernels.
  if (setsockopt(s, SOL_SOCKET, SO_BINDTOIFINDEX, &ifindex, sizeof ifindex) < 0) {
    if (errno != ENOPROTOOPT) return fail("SO_BINDTOIFINDEX");
    if (setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, name.c_str(),
                   static_cast<socklen_t>(name.size())) < 0) {
      return fail("SO_BINDTODEVICE");
    }
  }
  if (!v4) {
    if (auto error = configure_v6(s, options, fail)) return *error;
    return AdvertSocket(std::move(fd), options, where);
  }
  int ttl = vrrp::kVrrpTtl;
  if (setsockopt(s, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl) < 0) {
    return fail("IP_MULTICAST_TTL 255");
  }
  if (setsockopt(s, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl) < 0) return fail("IP_TTL 255");
  int zero = 0, one = 1;
  if (setsockopt(s, IPPROTO_IP, IP_MULTICAST_LOOP, &zero, sizeof zero) < 0) {
    return fail("IP_MULTICAST_LOOP 0");
  }
  // Without this, a raw socket also gets every group any other socket of the host joined.
  if (setsockopt(s, IPPROTO_IP, IP_MULTICAST_ALL, &zero, sizeof zero) < 0) {
    return fail("IP_MULTICAST_ALL 0");
  }
  int tos = IPTOS_PREC_INTERNETCONTROL;  // as keepalived
  if (setsockopt(s, IPPROTO_IP, IP_TOS, &tos, sizeof tos) < 0) return fail("IP_TOS 0xc0");
  if (setsockopt(s, IPPROTO_IP, IP_PKTINFO, &one, sizeof one) < 0) return fail("IP_PKTINFO");
  ip_mreqn mreq{};
  mreq.imr_multiaddr = to_in_addr(vrrp_group_v4());
  mreq.imr_address = to_in_addr(options.source);
  mreq.imr_ifindex = ifindex;
  if (setsockopt(s, IPPROTO_IP, IP_MULTICAST_IF, &mreq, sizeof mreq) < 0) {
    return fail("IP_MULTICAST_IF");
  }
  if (options.join_group &&
      setsockopt(s, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq, sizeof mreq) < 0) {
    return fail("IP_ADD_MEMBERSHIP 224.0.0.18");
  }
  return AdvertSocket(std::move(fd), options, where);
}

IoStatus AdvertSocket::send_to(const IpAddress& destination, const std::uint8_t* data,
                               std::size_t size) {
  const bool v4 = options_.source.is_v4();
  if (destination.is_v4() != v4) {
    return make_io_error(EAFNOSUPPORT, "send VRRP advert from " + options_.source.to_string() +
                                           " to " + destination.to_string());
  }
  // Link-local and multicast IPv6 destinations only mean something on one interface.
  SocketAddress to =
      socket_address(destination, 0, v4 ? 0u : static_cast<std::uint32_t>(options_.ifindex));
  iovec iov{const_cast<std::uint8_t*>(data), size};
  // The source address goes with each packet (IP_PKTINFO ipi_spec_dst, IPV6_PKTINFO ipi6_addr)
  // rather than bind(): bind() on a raw socket would also filter received packets by
  // destination and drop the multicast adverts.
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(in6_pktinfo))] = {};
  msghdr msg{};
  msg.msg_name = to.get();
  msg.msg_namelen = to.length;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = v4 ? CMSG_SPACE(sizeof(in_pktinfo)) : CMSG_SPACE(sizeof(in6_pktinfo));
  cmsghdr* cm = CMSG_FIRSTHDR(&msg);
  if (v4) {
    in_pktinfo info{};
    info.ipi_ifindex = options_.ifindex;
    info.ipi_spec_dst = to_in_addr(options_.source);
    put_cmsg(cm, IPPROTO_IP, IP_PKTINFO, info);
  } else {
    in6_pktinfo info{};
    info.ipi6_ifindex = static_cast<unsigned>(options_.ifindex);
    info.ipi6_addr = to_in6_addr(options_.source);
    put_cmsg(cm, IPPROTO_IPV6, IPV6_PKTINFO, info);
  }
  for (int attempt = 0; attempt < 3; ++attempt) {
    ssize_t n = ::sendmsg(fd_.get(), &msg, MSG_DONTWAIT);
    if (n >= 0) {
      if (static_cast<std::size_t>(n) == size) return {};
      errno = EMSGSIZE;
      break;
    }
    if (errno != EINTR) break;
  }
  const int error = errno;
  std::string what = "send VRRP advert from " + options_.source.to_string() + " to " +
                     destination.to_string() + " on " + where_;
  // The kernel's answer when the source has gone (EINVAL, ENETUNREACH: a link-local address
  // gone with the link, an address removed by hand) does not say so itself.
  if (!is_local_address(options_.source, options_.ifindex))
    what += " (" + options_.source.to_string() +
            " is no longer an address of this node; the advert source is chosen when the "
            "instance starts: restart redkeep to choose it again)";
  return make_io_error(error, what);
}

IoResult<std::optional<ReceivedPacket>> AdvertSocket::receive(int timeout_ms) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::milliseconds(std::max(timeout_ms, 0));
  // On the stack: the reactor calls this until the socket is drained, most calls find nothing,
  // and a heap buffer of the largest datagram each time would cost more than the packet.
  std::uint8_t buf[65536];
  for (;;) {
    sockaddr_storage from{};
    iovec iov{buf, sizeof buf};
    alignas(cmsghdr) char control[256];
    msghdr msg{};
    msg.msg_name = &from;
    msg.msg_namelen = sizeof from;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = ::recvmsg(fd_.get(), &msg, MSG_DONTWAIT);
    if (n >= 0) {
      ReceivedPacket p;
      p.packet.assign(buf, buf + n);
      p.ifindex = options_.ifindex;
      for (cmsghdr* cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
        if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
          in_pktinfo info;
          std::memcpy(&info, CMSG_DATA(cm), sizeof info);
          p.ifindex = info.ipi_ifindex;
          p.destination = IpAddress::v4(reinterpret_cast<const std::uint8_t*>(&info.ipi_addr));
        }
        if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO) {
          in6_pktinfo info;
          std::memcpy(&info, CMSG_DATA(cm), sizeof info);
          p.ifindex = static_cast<int>(info.ipi6_ifindex);
          p.destination = IpAddress::v6(info.ipi6_addr.s6_addr);
        }
        if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_HOPLIMIT) {
          int hops = 0;
          std::memcpy(&hops, CMSG_DATA(cm), sizeof hops);
          p.hop_limit = static_cast<std::uint8_t>(hops);
        }
      }
      if (from.ss_family == AF_INET6) {
        p.source = IpAddress::v6(reinterpret_cast<const sockaddr_in6&>(from).sin6_addr.s6_addr);
      }
      return std::optional<ReceivedPacket>(std::move(p));
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      return make_io_error(errno, "receive VRRP advert on " + where_);
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return std::optional<ReceivedPacket>();
    auto ready = wait_readable(fd_.get(), static_cast<int>(left.count()));
    if (!ready) return ready.error();
    if (!*ready) return std::optional<ReceivedPacket>();
  }
}

IoResult<IpAddress> primary_address(Netlink& netlink, int ifindex,
                                    const std::vector<IpAddress>& exclude, Family family) {
  auto list = netlink.list_addresses(ifindex);
  if (!list) return list.error();
  for (const auto& a : *list) {
    const IpAddress& address = a.prefix.address;
    if (address.family() != family) continue;
    if (family == Family::ipv6 && !address.is_link_local()) continue;
    if (std::find(exclude.begin(), exclude.end(), address) != exclude.end()) continue;
    return address;
  }
  return make_io_error(EADDRNOTAVAIL,
                       std::string(family == Family::ipv4
                                       ? "find a primary IPv4 address (other than the VIPs) on "
                                       : "find a link-local IPv6 address (other than the VIPs) on ") +
                           "ifindex " + std::to_string(ifindex));
}

}  // namespace redkeep::net
