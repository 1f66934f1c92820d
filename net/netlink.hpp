#pragma once
// rtnetlink access (libmnl) for the VIP: add / renew / remove / list interface addresses,
// look up interfaces and their link state, and a link monitor that reports carrier loss and
// removed addresses as they happen. No CAF, no threads: an actor owns these objects and
// polls their fd().
//
// Network namespaces: a netlink socket belongs to the namespace of the thread that opened
// it, and every request below goes through that socket. So an object opened in namespace A
// keeps acting on A, whichever thread later calls it.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "net/io.hpp"
#include "net/ip_address.hpp"

struct mnl_socket;

namespace redkeep::net {

/// Lifetime value meaning "forever" (INFINITY_LIFE_TIME in the kernel, `forever` in `ip addr`).
constexpr std::uint32_t kInfiniteLifetime = 0xFFFFFFFFu;

/// One interface address as the kernel reports it (RTM_NEWADDR).
struct AddressInfo {
  IpPrefix prefix;              ///< IFA_LOCAL (IPv4) or IFA_ADDRESS, with ifa_prefixlen
  int ifindex = 0;              ///< ifa_index
  std::uint32_t valid_lft = kInfiniteLifetime;      ///< seconds left before the kernel removes it
  std::uint32_t preferred_lft = kInfiniteLifetime;  ///< seconds left before it is deprecated
  bool secondary = false;       ///< IFA_F_SECONDARY: another address of the subnet is primary
  bool permanent = false;       ///< IFA_F_PERMANENT: added without a lifetime
  std::string label;            ///< IFA_LABEL (IPv4), e.g. "eth0" or "eth0:vip"
};

/// State of one interface (RTM_NEWLINK).
struct LinkState {
  bool exists = false;    ///< false: no interface with that index (ENODEV)
  bool admin_up = false;  ///< IFF_UP: `ip link set up`
  bool lower_up = false;  ///< IFF_LOWER_UP: carrier present
  bool running = false;   ///< IFF_RUNNING: RFC 2863 operstate up (or unknown, e.g. loopback)
  std::string name;       ///< IFLA_IFNAME
  std::uint16_t hardware_type = 0;  ///< ifi_type, ARPHRD_* (1 = Ethernet)
  std::vector<std::uint8_t> hardware_address;  ///< IFLA_ADDRESS (6 bytes on Ethernet)

  /// The interface can carry VRRP: it exists, is administratively up and has carrier.
  /// keepalived puts an instance into FAULT when this turns false.
  bool usable() const { return exists && admin_up && running; }
};

/// A request/response rtnetlink socket (NETLINK_ROUTE). Each call sends one request and
/// waits for the kernel's answer. The kernel processes rtnetlink requests synchronously, so
/// the answer is normally there at once; the wait is still bounded by `reply_timeout_ms`
/// (SO_RCVTIMEO), after which the call fails with ETIMEDOUT. Movable, not copyable.
class Netlink {
 public:
  /// Opens and binds the socket in the calling thread's network namespace.
  /// `reply_timeout_ms` bounds every wait for a kernel answer (default 1000 ms).
  static IoResult<Netlink> open(int reply_timeout_ms = 1000);

  Netlink(Netlink&&) noexcept;
  Netlink& operator=(Netlink&&) noexcept;
  ~Netlink();

  /// The socket's descriptor (for diagnostics; calls below block for at most the timeout).
  int fd() const;

  /// Adds `prefix` on `ifindex`, or renews it if it is already there (RTM_NEWADDR with
  /// NLM_F_CREATE | NLM_F_REPLACE), with kernel lifetimes in seconds (IFA_CACHEINFO): the
  /// kernel removes the address by itself `valid_lft` seconds after the last renewal, so a VIP
  /// does not outlive a killed redkeep. Pass kInfiniteLifetime for both to make it permanent.
  /// preferred_lft 0 deprecates the address: it still takes connections, but the kernel no
  /// longer chooses it as a source (RFC 6724 rule 3 for IPv6). The kernel checks lifetimes about once a second, so an
  /// address may live up to ~1 s past valid_lft. Renewing an address that an operator added
  /// by hand also puts that lifetime on it. IPv6 addresses get IFA_F_NODAD (as keepalived).
  /// Errors: EINVAL (valid_lft 0, preferred_lft > valid_lft, bad prefix), ENODEV, EPERM, ...
  IoStatus add_address(int ifindex, const IpPrefix& prefix, std::uint32_t valid_lft,
                       std::uint32_t preferred_lft);

  /// Removes `prefix` (address and prefix length must match) from `ifindex` (RTM_DELADDR).
  /// An address that is already gone (EADDRNOTAVAIL, ENOENT) is success, not an error.
  IoStatus remove_address(int ifindex, const IpPrefix& prefix);

  /// Addresses of `ifindex` (all interfaces when 0), every family, in the kernel's order
  /// (for IPv4: primary addresses before secondaries), with remaining lifetimes (RTM_GETADDR
  /// dump).
  IoResult<std::vector<AddressInfo>> list_addresses(int ifindex);

  /// The index of the interface called `name` (RTM_GETLINK with IFLA_IFNAME).
  /// Errors: ENODEV when there is none.
  IoResult<int> interface_index(const std::string& name);

  /// The state of `ifindex` (RTM_GETLINK). A missing interface is not an error: the result
  /// has exists == false.
  IoResult<LinkState> link_state(int ifindex);

 private:
  struct Impl;
  explicit Netlink(std::unique_ptr<Impl> impl);
  std::string describe_interface(int ifindex);
  std::unique_ptr<Impl> impl_;
};

/// What the link monitor saw.
struct LinkEvent {
  enum class Kind {
    link_up,          ///< RTM_NEWLINK with link.usable(); may repeat (any attribute change)
    link_down,        ///< RTM_NEWLINK without link.usable() (admin down or carrier loss)
    link_removed,     ///< RTM_DELLINK
    address_added,    ///< RTM_NEWADDR: added or renewed
    address_removed,  ///< RTM_DELADDR: removed by someone, by lifetime expiry, or link gone
    overflow,         ///< ENOBUFS: events were lost; re-read link_state and list_addresses
  };
  Kind kind = Kind::overflow;
  int ifindex = 0;                     ///< 0 for overflow
  LinkState link;                      ///< for link_* kinds
  std::optional<AddressInfo> address;  ///< for address_* kinds
};

/// A non-blocking rtnetlink socket subscribed to link and address notifications
/// (RTMGRP_LINK, RTMGRP_IPV4_IFADDR, RTMGRP_IPV6_IFADDR) of the namespace it was opened in.
/// Poll fd() for POLLIN, then call read_events(). Movable, not copyable.
/// Latency: the kernel reports carrier changes through its linkwatch worker, which batches
/// non-urgent events to one run per second, so a carrier loss can arrive up to ~1 s late
/// (measured on veth: 0.2-1 s); admin down (`ip link set down`) is reported at once.
class LinkMonitor {
 public:
  static IoResult<LinkMonitor> open();

  LinkMonitor(LinkMonitor&&) noexcept;
  LinkMonitor& operator=(LinkMonitor&&) noexcept;
  ~LinkMonitor();

  int fd() const;

  /// Reads every pending notification without blocking and returns those about `ifindex`
  /// (all interfaces when 0), in arrival order; empty when nothing is pending. A receive
  /// buffer overrun is reported as one Kind::overflow event (always, whatever `ifindex`).
  IoResult<std::vector<LinkEvent>> read_events(int ifindex);

 private:
  struct Impl;
  explicit LinkMonitor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace redkeep::net
