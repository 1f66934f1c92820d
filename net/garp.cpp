#include "net/garp.hpp"

#include "net/neighbor_advert.hpp"

#include <arpa/inet.h>
#include <net/if_arp.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cassert>
#include <cstring>

namespace redkeep::net {
namespace {

void put16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}

std::string describe(int ifindex, const char* name) {
  std::string s = "ifindex " + std::to_string(ifindex);
  if (name && *name) s += std::string(" (") + name + ")";
  return s;
}

}  // namespace

ArpFrame build_gratuitous_arp(const MacAddress& src_mac, const IpAddress& vip) {
  assert(vip.is_v4());
  ArpFrame f{};
  std::uint8_t* p = f.data();
  std::memset(p, 0xff, 6);  // Ethernet destination: broadcast
  std::memcpy(p + 6, src_mac.data(), 6);
  put16(p + 12, ETH_P_ARP);
  std::uint8_t* arp = p + 14;
  put16(arp + 0, ARPHRD_ETHER);
  put16(arp + 2, ETH_P_IP);
  arp[4] = 6;  // hardware address length
  arp[5] = 4;  // protocol address length
  put16(arp + 6, ARPOP_REQUEST);
  std::memcpy(arp + 8, src_mac.data(), 6);  // sender hardware address
  std::memcpy(arp + 14, vip.data(), 4);     // sender protocol address
  std::memset(arp + 18, 0xff, 6);           // target hardware address, as keepalived
  std::memcpy(arp + 24, vip.data(), 4);     // target protocol address = sender's
  return f;
}

IoResult<GratuitousArpSender> GratuitousArpSender::open() {
  // Protocol 0: a send-only packet socket, so no incoming frame is ever queued on it.
  int fd = ::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
  if (fd < 0) return make_io_error(errno, "open AF_PACKET socket for gratuitous ARP");
  return GratuitousArpSender(UniqueFd(fd));
}

IoResult<MacAddress> GratuitousArpSender::hardware_address(int ifindex) {
  ifreq ifr{};
  ifr.ifr_ifindex = ifindex;
  if (::ioctl(fd_.get(), SIOCGIFNAME, &ifr) < 0) {
    return make_io_error(errno, "get name of " + describe(ifindex, nullptr));
  }
  if (::ioctl(fd_.get(), SIOCGIFHWADDR, &ifr) < 0) {
    return make_io_error(errno, "get hardware address of " + describe(ifindex, ifr.ifr_name));
  }
  if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER) {
    return make_io_error(EAFNOSUPPORT, "no ARP or Neighbor Discovery on non-Ethernet " +
                                           describe(ifindex, ifr.ifr_name));
  }
  MacAddress mac;
  std::memcpy(mac.data(), ifr.ifr_hwaddr.sa_data, mac.size());
  return mac;
}

IoStatus GratuitousArpSender::send(int ifindex, const IpAddress& vip) {
  auto mac = hardware_address(ifindex);
  if (!mac) return mac.error();
  const bool v4 = vip.is_v4();
  const char* what = v4 ? "gratuitous ARP" : "unsolicited Neighbor Advertisement";
  ArpFrame arp{};
  NeighborAdvertFrame na{};
  if (v4) {
    arp = build_gratuitous_arp(*mac, vip);
  } else {
    na = build_unsolicited_na(*mac, vip);
  }
  const std::uint8_t* frame = v4 ? arp.data() : na.data();
  const std::size_t size = v4 ? arp.size() : na.size();
  sockaddr_ll to{};
  to.sll_family = AF_PACKET;
  to.sll_ifindex = ifindex;
  to.sll_protocol = htons(v4 ? ETH_P_ARP : ETH_P_IPV6);
  to.sll_halen = 6;
  std::memcpy(to.sll_addr, frame, 6);  // the frame's own Ethernet destination
  ssize_t n = ::sendto(fd_.get(), frame, size, MSG_DONTWAIT,
                       reinterpret_cast<const sockaddr*>(&to), sizeof to);
  if (n < 0) {
    return make_io_error(errno, std::string("send ") + what + " for " + vip.to_string() +
                                    " on " + describe(ifindex, nullptr));
  }
  if (static_cast<std::size_t>(n) != size) {
    return make_io_error(EMSGSIZE, std::string("short send of ") + what + " for " +
                                       vip.to_string() + " on " + describe(ifindex, nullptr));
  }
  return {};
}

IoStatus send_gratuitous_arp(int ifindex, const IpAddress& vip) {
  auto sender = GratuitousArpSender::open();
  if (!sender) return sender.error();
  return sender->send(ifindex, vip);
}

}  // namespace redkeep::net
