#include "actors/vip.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <utility>

#include "actors/crash_reason.hpp"
#include "actors/messages.hpp"
#include "core/params.hpp"
#include "net/garp.hpp"
#include "net/netlink.hpp"
#include "net/reactor.hpp"

namespace redkeep::actors {

namespace {

/// Delay before a failed VIP add/remove is tried again.
constexpr auto kRetryInterval = std::chrono::seconds(1);

struct VipState {
  InstanceContext ctx;
  Wiring wiring;
  std::unique_ptr<net::Netlink> netlink;
  std::unique_ptr<net::GratuitousArpSender> garp;
  bool up = false;                    // the VIPs are in the kernel (as far as we did it)
  bool want_up = false;               // direction of the latest command
  std::uint64_t up_generation = 0;    // GARP timers of an older "up" are stale
  std::uint64_t last_generation = 0;  // of the latest VipCommand
  std::uint32_t lifetime_s = 0;
  bool quiet = false;  // a cut-off Master: delayed and refresh bursts are skipped
  std::optional<bool> link_up;
  std::unique_ptr<net::LinkMonitor> link_monitor;
  net::Reactor::Watch link_watch;  // after link_monitor: unwatched before it closes
  static inline const char* name = "vip";
};

using Self = vip_actor::stateful_base<VipState>;

std::string vip_list(const InstanceContext& ctx) {
  std::string out;
  for (const auto& v : ctx.instance.virtual_ipaddress)
    out += (out.empty() ? "" : ", ") + v.to_string();
  return out;
}

/// Adds (or renews) every VIP; returns the first error text, empty when all ok.
std::string add_all(Self* self) {
  auto& st = self->state;
  std::string error;
  for (const auto& v : st.ctx.instance.virtual_ipaddress) {
    // An IPv6 VIP in the node's own /64 would be chosen as the source of the node's own
    // connections (RFC 6724), which break when it moves: deprecated (preferred_lft 0), it
    // still takes connections but is never picked as a source.
    const std::uint32_t preferred = v.address.is_v4() ? st.lifetime_s : 0;
    auto r =
        st.netlink->add_address(static_cast<int>(st.ctx.ifindex), v, st.lifetime_s, preferred);
    if (!r && error.empty()) error = r.error().message;
  }
  return error;
}

std::string remove_all(Self* self) {
  auto& st = self->state;
  std::string error;
  for (const auto& v : st.ctx.instance.virtual_ipaddress) {
    auto r = st.netlink->remove_address(static_cast<int>(st.ctx.ifindex), v);
    if (!r && error.empty()) error = r.error().message;
  }
  return error;
}

/// `repeat` gratuitous ARPs per IPv4 VIP, unsolicited Neighbor Advertisements per IPv6 one.
void send_garps(Self* self, unsigned repeat) {
  auto& st = self->state;
  std::uint32_t arps = 0;
  std::uint32_t nas = 0;
  for (const auto& v : st.ctx.instance.virtual_ipaddress) {
    const bool v4 = v.address.is_v4();
    for (unsigned i = 0; i < repeat; ++i) {
      auto r = st.garp->send(static_cast<int>(st.ctx.ifindex), v.address);
      if (!r) {
        st.ctx.log().warn(core::LogKind::garp_failed, "{} for {} failed: {}",
                          v4 ? "Gratuitous ARP" : "Unsolicited Neighbor Advertisement",
                          v.address.to_string(), r.error().message);
        break;
      }
      ++(v4 ? arps : nas);
    }
  }
  if (arps > 0)
    st.ctx.log().info(core::LogKind::garp, "Sent {} gratuitous ARP(s) on {}", field("count", arps),
                      field("interface", st.ctx.instance.interface));
  if (nas > 0)
    st.ctx.log().info(core::LogKind::garp, "Sent {} unsolicited Neighbor Advertisement(s) on {}",
                      field("count", nas), field("interface", st.ctx.instance.interface));
  if (arps + nas > 0 && st.wiring.election) self->send(st.wiring.election, GarpSent{arps + nas});
}

void report_link(Self* self) {
  auto& st = self->state;
  if (st.link_up && st.wiring.election) self->send(st.wiring.election, LinkStatus{*st.link_up});
}

/// Link notifications come through the node's reactor; the actor asks the kernel for the link's
/// state when one arrives (refresh_link), so only their arrival matters here.
void watch_link(Self* self) {
  auto& st = self->state;
  auto monitor = net::LinkMonitor::open();
  if (!monitor) {
    st.ctx.log().error(core::LogKind::netlink, "Cannot watch the interface: {}",
                       monitor.error().message);
    return;
  }
  st.link_monitor = std::make_unique<net::LinkMonitor>(std::move(*monitor));
  auto me = caf::actor_cast<vip_actor>(self);
  auto* raw = st.link_monitor.get();
  st.link_watch = net::Reactor::get().watch(
      raw->fd(), [me, raw, ifindex = static_cast<int>(st.ctx.ifindex)] {
        try {
          auto events = raw->read_events(ifindex);
          if (events && !events->empty()) caf::anon_send(me, link_atom::value, true);
        } catch (const std::exception& e) {
          caf::anon_send(me, failed_atom::value, std::string(e.what()));
          throw;  // the reactor drops the watch; the restarted actor makes a new one
        }
      });
}

void refresh_link(Self* self) {
  auto& st = self->state;
  auto ls = st.netlink->link_state(static_cast<int>(st.ctx.ifindex));
  if (!ls) return;
  bool up = ls->usable();
  if (st.link_up == up) return;
  st.link_up = up;
  report_link(self);
}

vip_actor::behavior_type vip(Self* self, InstanceContext ctx, bool restart) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  st.lifetime_s = core::vip_lifetime_seconds(st.ctx.instance);
  self->set_exception_handler(crash_handler("vip" + st.ctx.tag()));
  auto nl = net::Netlink::open();
  if (!nl) throw std::runtime_error("netlink: " + nl.error().message);
  st.netlink = std::make_unique<net::Netlink>(std::move(*nl));
  auto garp = net::GratuitousArpSender::open();
  if (!garp) throw std::runtime_error("gratuitous ARP socket: " + garp.error().message);
  st.garp = std::make_unique<net::GratuitousArpSender>(std::move(*garp));
  if (!restart) {
    // A VIP left by an earlier run (crash, SIGKILL) must not linger while we
    // are not master: the election decides afresh.
    auto err = remove_all(self);
    if (!err.empty()) st.ctx.log().warn(core::LogKind::vip_failed, "Removing stale VIPs: {}", err);
  } else if (auto addrs = st.netlink->list_addresses(static_cast<int>(st.ctx.ifindex))) {
    // A restart (a crash, a reload) finds the Master's VIPs in the kernel: the election's
    // command to hold them renews them, no "added" line, no ARP burst.
    const auto& vips = st.ctx.instance.virtual_ipaddress;
    st.up = std::all_of(vips.begin(), vips.end(), [&](const net::IpPrefix& v) {
      return std::any_of(addrs->begin(), addrs->end(),
                         [&](const net::AddressInfo& a) { return a.prefix == v; });
    });
  }
  const auto retired = st.ctx.retired_vips ? std::exchange(*st.ctx.retired_vips, {})
                                            : std::vector<net::IpPrefix>{};
  for (const auto& v : retired) {
    // A reload took it out of the list: it goes whatever the role (a no-op when absent).
    auto r = st.netlink->remove_address(static_cast<int>(st.ctx.ifindex), v);
    if (r) {
      st.ctx.log().info(core::LogKind::vip_removed, "VIP {} no longer configured: not held on {} any more", v.to_string(),
                        st.ctx.instance.interface);
    } else {
      st.ctx.log().warn(core::LogKind::vip_failed, "Removing VIP {} (no longer configured): {}", v.to_string(),
                        r.error().message);
    }
  }
  watch_link(self);
  refresh_link(self);
  return {
      [self](const Wiring& w) {
        self->state.wiring = w;
        report_link(self);
      },
      [self](const VipCommand& cmd) {
        auto& st = self->state;
        st.last_generation = cmd.generation;
        st.want_up = cmd.up;
        std::string err = cmd.up ? add_all(self) : remove_all(self);
        if (st.wiring.election)
          self->send(st.wiring.election, VipDone{cmd.generation, cmd.up, err.empty(), err});
        if (!err.empty()) {
          st.ctx.log().error(core::LogKind::vip_failed, "VIP {} failed on {}: {}; retrying", cmd.up ? "add" : "removal",
                             st.ctx.instance.interface, err);
          self->delayed_send(self, kRetryInterval, retry_atom::value, cmd);
          return;
        }
        if (cmd.up == st.up) return;  // renewal, or a repeat after a restart
        st.up = cmd.up;
        st.ctx.log().info(cmd.up ? core::LogKind::vip_added : core::LogKind::vip_removed,
                          "VIP {} {} on {}", field("vip", vip_list(st.ctx)),
                          cmd.up ? "added" : "removed",
                          field("interface", st.ctx.instance.interface));
        if (!cmd.up) return;
        ++st.up_generation;
        const auto& in = st.ctx.instance;
        send_garps(self, in.garp_master_repeat);
        if (in.garp_master_delay.count() > 0)
          self->delayed_send(self, in.garp_master_delay, garp_burst_atom::value, st.up_generation,
                             false);
        if (in.garp_master_refresh.count() > 0)
          self->delayed_send(self, in.garp_master_refresh, garp_burst_atom::value, st.up_generation,
                             true);
      },
      // Retry a failed command unless a newer one superseded it.
      [self](retry_atom, const VipCommand& cmd) {
        if (cmd.generation == self->state.last_generation) self->send(self, cmd);
      },
      [self](quiet_atom, bool quiet) { self->state.quiet = quiet; },
      [self](garp_atom) {
        auto& st = self->state;
        if (st.up && st.want_up) send_garps(self, st.ctx.instance.garp_master_repeat);
      },
      [self](renew_atom) {
        auto& st = self->state;
        if (!st.up || !st.want_up) return;
        auto err = add_all(self);
        if (!err.empty()) st.ctx.log().error(core::LogKind::vip_failed, "VIP renewal failed: {}", err);
      },
      [self](garp_burst_atom, std::uint64_t generation, bool refresh) {
        auto& st = self->state;
        if (!st.up || generation != st.up_generation) return;
        const auto& in = st.ctx.instance;
        if (!st.quiet)
          send_garps(self, refresh ? in.garp_master_refresh_repeat : in.garp_master_repeat);
        if (refresh)
          self->delayed_send(self, in.garp_master_refresh, garp_burst_atom::value, generation,
                             true);
      },
      // The kernel's current state beats the event's: events may be stale.
      [self](link_atom, bool) { refresh_link(self); },
      [](failed_atom, const std::string& error) -> caf::result<void> {
        throw std::runtime_error(error);
      },
      [self](crash_atom) -> caf::result<void> {
        throw std::runtime_error("crash requested by test hook");
      },
  };
}

}  // namespace

caf::actor spawn_vip(caf::local_actor* parent, const InstanceContext& ctx, bool restart) {
  // On the scheduler: rtnetlink handles a request and queues its acknowledgement within the
  // sendmsg call (in the sender's context), so the only wait is for the kernel's rtnl lock,
  // as `ip addr add` has; packet sockets send with MSG_DONTWAIT. An election keeps the other
  // worker meanwhile.
  return caf::actor_cast<caf::actor>(parent->spawn(vip, ctx, restart));
}

}  // namespace redkeep::actors
