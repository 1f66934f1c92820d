#include "net/netlink.hpp"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cstring>
#include <ctime>

namespace redkeep::net {
namespace {

// Large enough for any single rtnetlink message a dump returns (libmnl's default is only a
// page and a link message with many attributes can exceed it).
constexpr std::size_t kBufferSize = 32768;

struct MnlDeleter {
  void operator()(mnl_socket* s) const {
    if (s) mnl_socket_close(s);
  }
};
using MnlPtr = std::unique_ptr<mnl_socket, MnlDeleter>;

int family_of(const IpAddress& a) { return a.is_v4() ? AF_INET : AF_INET6; }

std::optional<IpAddress> ip_from_bytes(int family, const void* bytes, std::size_t len) {
  if (family == AF_INET && len >= 4) return IpAddress::v4(static_cast<const std::uint8_t*>(bytes));
  if (family == AF_INET6 && len >= 16) {
    char text[INET6_ADDRSTRLEN] = {};
    if (!inet_ntop(AF_INET6, bytes, text, sizeof text)) return std::nullopt;
    return IpAddress::parse(text);
  }
  return std::nullopt;
}

// Collects attributes by type into a table of `max + 1` entries.
struct AttrTable {
  std::vector<const nlattr*> attrs;
  explicit AttrTable(int max) : attrs(static_cast<std::size_t>(max) + 1, nullptr) {}
  const nlattr* operator[](int type) const {
    return type >= 0 && static_cast<std::size_t>(type) < attrs.size() ? attrs[type] : nullptr;
  }
};

int collect_attr(const nlattr* attr, void* data) {
  auto* table = static_cast<AttrTable*>(data);
  int type = mnl_attr_get_type(attr);
  if (mnl_attr_type_valid(attr, static_cast<std::uint16_t>(table->attrs.size() - 1)) > 0) {
    table->attrs[type] = attr;
  }
  return MNL_CB_OK;
}

std::optional<std::pair<int, LinkState>> parse_link(const nlmsghdr* nlh) {
  if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(ifinfomsg))) return std::nullopt;
  auto* ifi = static_cast<const ifinfomsg*>(mnl_nlmsg_get_payload(nlh));
  AttrTable tb(IFLA_MAX);
  mnl_attr_parse(nlh, sizeof(ifinfomsg), collect_attr, &tb);
  LinkState s;
  s.exists = nlh->nlmsg_type != RTM_DELLINK;
  s.admin_up = (ifi->ifi_flags & IFF_UP) != 0;
  s.lower_up = (ifi->ifi_flags & IFF_LOWER_UP) != 0;
  s.running = (ifi->ifi_flags & IFF_RUNNING) != 0;
  s.hardware_type = ifi->ifi_type;
  if (auto* a = tb[IFLA_IFNAME]; a && mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0) {
    s.name = mnl_attr_get_str(a);
  }
  if (auto* a = tb[IFLA_ADDRESS]) {
    auto* p = static_cast<const std::uint8_t*>(mnl_attr_get_payload(a));
    s.hardware_address.assign(p, p + mnl_attr_get_payload_len(a));
  }
  return std::make_pair(ifi->ifi_index, s);
}

std::optional<AddressInfo> parse_addr(const nlmsghdr* nlh) {
  if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(ifaddrmsg))) return std::nullopt;
  auto* ifa = static_cast<const ifaddrmsg*>(mnl_nlmsg_get_payload(nlh));
  AttrTable tb(IFA_MAX);
  mnl_attr_parse(nlh, sizeof(ifaddrmsg), collect_attr, &tb);
  // IPv4: IFA_LOCAL is the interface's own address, IFA_ADDRESS the peer on point-to-point.
  const nlattr* addr = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
  if (!addr) return std::nullopt;
  auto ip = ip_from_bytes(ifa->ifa_family, mnl_attr_get_payload(addr),
                          mnl_attr_get_payload_len(addr));
  if (!ip) return std::nullopt;
  AddressInfo info;
  info.prefix = IpPrefix{*ip, ifa->ifa_prefixlen};
  info.ifindex = static_cast<int>(ifa->ifa_index);
  std::uint32_t flags = ifa->ifa_flags;
  if (auto* a = tb[IFA_FLAGS]; a && mnl_attr_get_payload_len(a) >= 4) flags = mnl_attr_get_u32(a);
  info.secondary = (flags & IFA_F_SECONDARY) != 0;
  info.permanent = (flags & IFA_F_PERMANENT) != 0;
  if (auto* a = tb[IFA_CACHEINFO]; a && mnl_attr_get_payload_len(a) >= sizeof(ifa_cacheinfo)) {
    ifa_cacheinfo ci;
    std::memcpy(&ci, mnl_attr_get_payload(a), sizeof ci);
    info.valid_lft = ci.ifa_valid;
    info.preferred_lft = ci.ifa_prefered;
  }
  if (auto* a = tb[IFA_LABEL]; a && mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0) {
    info.label = mnl_attr_get_str(a);
  }
  return info;
}

}  // namespace

// ---------------------------------------------------------------------------------- Netlink

struct Netlink::Impl {
  MnlPtr sock;
  unsigned portid = 0;
  unsigned seq = 0;
  std::vector<char> buf = std::vector<char>(kBufferSize);

  // Sends `nlh` (its nlmsg_seq is set here) and runs `cb` on every answer until the kernel's
  // ack or NLMSG_DONE. Returns 0 or an errno value.
  int transact(nlmsghdr* nlh, mnl_cb_t cb, void* data) {
    nlh->nlmsg_seq = ++seq;
    if (seq == 0) nlh->nlmsg_seq = ++seq;
    if (mnl_socket_sendto(sock.get(), nlh, nlh->nlmsg_len) < 0) return errno;
    for (;;) {
      ssize_t n = mnl_socket_recvfrom(sock.get(), buf.data(), buf.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return (errno == EAGAIN || errno == EWOULDBLOCK) ? ETIMEDOUT : errno;
      }
      // An answer to an earlier request that timed out: skip it and keep waiting.
      auto* first = reinterpret_cast<const nlmsghdr*>(buf.data());
      if (static_cast<std::size_t>(n) >= sizeof(nlmsghdr) && first->nlmsg_seq != nlh->nlmsg_seq) {
        continue;
      }
      int rc = mnl_cb_run(buf.data(), static_cast<std::size_t>(n), nlh->nlmsg_seq, portid, cb,
                          data);
      if (rc == MNL_CB_STOP) return 0;
      if (rc < 0) return errno;
    }
  }
};

Netlink::Netlink(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Netlink::Netlink(Netlink&&) noexcept = default;
Netlink& Netlink::operator=(Netlink&&) noexcept = default;
Netlink::~Netlink() = default;

int Netlink::fd() const { return impl_ ? mnl_socket_get_fd(impl_->sock.get()) : -1; }

IoResult<Netlink> Netlink::open(int reply_timeout_ms) {
  auto impl = std::make_unique<Impl>();
  impl->sock.reset(mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC));
  if (!impl->sock) return make_io_error(errno, "open rtnetlink socket");
  if (mnl_socket_bind(impl->sock.get(), 0, MNL_SOCKET_AUTOPID) < 0) {
    return make_io_error(errno, "bind rtnetlink socket");
  }
  impl->portid = mnl_socket_get_portid(impl->sock.get());
  timeval tv{};
  tv.tv_sec = reply_timeout_ms / 1000;
  tv.tv_usec = (reply_timeout_ms % 1000) * 1000;
  if (setsockopt(mnl_socket_get_fd(impl->sock.get()), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) <
      0) {
    return make_io_error(errno, "set SO_RCVTIMEO on rtnetlink socket");
  }
  int one = 1;
  // Lets the kernel report errors precisely; harmless where unsupported.
  setsockopt(mnl_socket_get_fd(impl->sock.get()), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
  impl->seq = static_cast<unsigned>(time(nullptr));
  return Netlink(std::move(impl));
}

std::string Netlink::describe_interface(int ifindex) {
  std::string text = "ifindex " + std::to_string(ifindex);
  // Best effort: the name makes a log line readable; errors here must not hide the first one.
  int saved = errno;
  auto state = link_state(ifindex);
  errno = saved;
  if (state && state->exists) text += " (" + state->name + ")";
  return text;
}

IoStatus Netlink::add_address(int ifindex, const IpPrefix& prefix, std::uint32_t valid_lft,
                              std::uint32_t preferred_lft) {
  char buf[MNL_SOCKET_BUFFER_SIZE];
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
  nlh->nlmsg_type = RTM_NEWADDR;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE;
  auto* ifa = static_cast<ifaddrmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifaddrmsg)));
  ifa->ifa_family = static_cast<std::uint8_t>(family_of(prefix.address));
  ifa->ifa_prefixlen = prefix.prefix_length;
  ifa->ifa_scope = RT_SCOPE_UNIVERSE;
  ifa->ifa_index = static_cast<unsigned>(ifindex);
  std::uint32_t flags = prefix.address.is_v4() ? 0 : IFA_F_NODAD;
  ifa->ifa_flags = static_cast<std::uint8_t>(flags);
  mnl_attr_put(nlh, IFA_LOCAL, prefix.address.size(), prefix.address.data());
  mnl_attr_put(nlh, IFA_ADDRESS, prefix.address.size(), prefix.address.data());
  if (flags) mnl_attr_put_u32(nlh, IFA_FLAGS, flags);
  ifa_cacheinfo ci{};
  ci.ifa_valid = valid_lft;
  ci.ifa_prefered = preferred_lft;
  mnl_attr_put(nlh, IFA_CACHEINFO, sizeof ci, &ci);
  int err = impl_->transact(nlh, nullptr, nullptr);
  if (err == 0) return {};
  return make_io_error(err, "add address " + prefix.to_string() + " (valid_lft " +
                                std::to_string(valid_lft) + " s, preferred_lft " +
                                std::to_string(preferred_lft) + " s) on " +
                                describe_interface(ifindex));
}

IoStatus Netlink::remove_address(int ifindex, const IpPrefix& prefix) {
  char buf[MNL_SOCKET_BUFFER_SIZE];
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
  nlh->nlmsg_type = RTM_DELADDR;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  auto* ifa = static_cast<ifaddrmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifaddrmsg)));
  ifa->ifa_family = static_cast<std::uint8_t>(family_of(prefix.address));
  ifa->ifa_prefixlen = prefix.prefix_length;
  ifa->ifa_index = static_cast<unsigned>(ifindex);
  mnl_attr_put(nlh, IFA_LOCAL, prefix.address.size(), prefix.address.data());
  if (!prefix.address.is_v4()) {
    mnl_attr_put(nlh, IFA_ADDRESS, prefix.address.size(), prefix.address.data());
  }
  int err = impl_->transact(nlh, nullptr, nullptr);
  if (err == 0 || err == EADDRNOTAVAIL || err == ENOENT) return {};
  return make_io_error(err, "remove address " + prefix.to_string() + " from " +
                                describe_interface(ifindex));
}

IoResult<std::vector<AddressInfo>> Netlink::list_addresses(int ifindex) {
  char buf[MNL_SOCKET_BUFFER_SIZE];
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
  nlh->nlmsg_type = RTM_GETADDR;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  auto* ifa = static_cast<ifaddrmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifaddrmsg)));
  ifa->ifa_family = AF_UNSPEC;
  struct Ctx {
    int ifindex;
    std::vector<AddressInfo> out;
  } ctx{ifindex, {}};
  auto cb = [](const nlmsghdr* m, void* data) -> int {
    auto* c = static_cast<Ctx*>(data);
    if (m->nlmsg_type != RTM_NEWADDR) return MNL_CB_OK;
    if (auto info = parse_addr(m); info && (c->ifindex == 0 || info->ifindex == c->ifindex)) {
      c->out.push_back(std::move(*info));
    }
    return MNL_CB_OK;
  };
  int err = impl_->transact(nlh, cb, &ctx);
  if (err != 0) {
    return make_io_error(err, "list addresses of ifindex " + std::to_string(ifindex));
  }
  return std::move(ctx.out);
}

namespace {
struct LinkCtx {
  int ifindex = 0;
  LinkState state;
};
int link_cb(const nlmsghdr* m, void* data) {
  auto* c = static_cast<LinkCtx*>(data);
  if (m->nlmsg_type != RTM_NEWLINK) return MNL_CB_OK;
  if (auto parsed = parse_link(m)) {
    c->ifindex = parsed->first;
    c->state = std::move(parsed->second);
  }
  return MNL_CB_OK;
}
}  // namespace

IoResult<int> Netlink::interface_index(const std::string& name) {
  if (name.empty() || name.size() >= IFNAMSIZ) {
    return make_io_error(EINVAL, "look up interface \"" + name + "\"");
  }
  char buf[MNL_SOCKET_BUFFER_SIZE];
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
  nlh->nlmsg_type = RTM_GETLINK;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  auto* ifi = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
  ifi->ifi_family = AF_UNSPEC;
  mnl_attr_put_strz(nlh, IFLA_IFNAME, name.c_str());
  LinkCtx ctx;
  int err = impl_->transact(nlh, link_cb, &ctx);
  if (err == 0 && ctx.ifindex <= 0) err = ENODEV;
  if (err != 0) return make_io_error(err, "look up interface \"" + name + "\"");
  return ctx.ifindex;
}

IoResult<LinkState> Netlink::link_state(int ifindex) {
  char buf[MNL_SOCKET_BUFFER_SIZE];
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
  nlh->nlmsg_type = RTM_GETLINK;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  auto* ifi = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
  ifi->ifi_family = AF_UNSPEC;
  ifi->ifi_index = ifindex;
  LinkCtx ctx;
  int err = impl_->transact(nlh, link_cb, &ctx);
  if (err == ENODEV) return LinkState{};
  if (err != 0) return make_io_error(err, "get link state of ifindex " + std::to_string(ifindex));
  return std::move(ctx.state);
}

// ------------------------------------------------------------------------------ LinkMonitor

struct LinkMonitor::Impl {
  MnlPtr sock;
  std::vector<char> buf = std::vector<char>(kBufferSize);
};

LinkMonitor::LinkMonitor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LinkMonitor::LinkMonitor(LinkMonitor&&) noexcept = default;
LinkMonitor& LinkMonitor::operator=(LinkMonitor&&) noexcept = default;
LinkMonitor::~LinkMonitor() = default;

int LinkMonitor::fd() const { return impl_ ? mnl_socket_get_fd(impl_->sock.get()) : -1; }

IoResult<LinkMonitor> LinkMonitor::open() {
  auto impl = std::make_unique<Impl>();
  impl->sock.reset(mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC | SOCK_NONBLOCK));
  if (!impl->sock) return make_io_error(errno, "open rtnetlink monitor socket");
  // A burst of notifications (many interfaces flapping) must not overflow a small default
  // buffer; overflow is still handled (Kind::overflow).
  int size = 1 << 20;
  setsockopt(mnl_socket_get_fd(impl->sock.get()), SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  unsigned groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR;
  if (mnl_socket_bind(impl->sock.get(), groups, MNL_SOCKET_AUTOPID) < 0) {
    return make_io_error(errno, "bind rtnetlink monitor socket to link/address groups");
  }
  return LinkMonitor(std::move(impl));
}

IoResult<std::vector<LinkEvent>> LinkMonitor::read_events(int ifindex) {
  struct Ctx {
    int ifindex;
    std::vector<LinkEvent> out;
  } ctx{ifindex, {}};
  auto cb = [](const nlmsghdr* m, void* data) -> int {
    auto* c = static_cast<Ctx*>(data);
    LinkEvent ev;
    switch (m->nlmsg_type) {
      case RTM_NEWLINK:
      case RTM_DELLINK: {
        auto parsed = parse_link(m);
        if (!parsed) return MNL_CB_OK;
        ev.ifindex = parsed->first;
        ev.link = std::move(parsed->second);
        ev.kind = m->nlmsg_type == RTM_DELLINK
                      ? LinkEvent::Kind::link_removed
                      : (ev.link.usable() ? LinkEvent::Kind::link_up : LinkEvent::Kind::link_down);
        break;
      }
      case RTM_NEWADDR:
      case RTM_DELADDR: {
        auto info = parse_addr(m);
        if (!info) return MNL_CB_OK;
        ev.ifindex = info->ifindex;
        ev.address = std::move(info);
        ev.kind = m->nlmsg_type == RTM_DELADDR ? LinkEvent::Kind::address_removed
                                               : LinkEvent::Kind::address_added;
        break;
      }
      default:
        return MNL_CB_OK;
    }
    if (c->ifindex == 0 || ev.ifindex == c->ifindex) c->out.push_back(std::move(ev));
    return MNL_CB_OK;
  };
  // Bounded: a flood of notifications cannot keep the caller here forever.
  for (int i = 0; i < 256; ++i) {
    ssize_t n = mnl_socket_recvfrom(impl_->sock.get(), impl_->buf.data(), impl_->buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      if (errno == ENOBUFS) {
        ctx.out.push_back(LinkEvent{});  // Kind::overflow
        continue;
      }
      return make_io_error(errno, "read rtnetlink notifications");
    }
    // seq 0 and portid 0 turn off libmnl's request matching: these are notifications.
    if (mnl_cb_run(impl_->buf.data(), static_cast<std::size_t>(n), 0, 0, cb, &ctx) < 0 &&
        errno != ESRCH && errno != EPROTO) {
      return make_io_error(errno, "parse rtnetlink notifications");
    }
  }
  return std::move(ctx.out);
}

}  // namespace redkeep::net
