#include "actors/advert_io.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <set>

#include "actors/crash_reason.hpp"
#include "actors/messages.hpp"
#include "core/params.hpp"
#include "net/reactor.hpp"
#include "net/vrrp/packet.hpp"

namespace redkeep::actors {

namespace vrrp = net::vrrp;

std::string send_advert(net::AdvertSocket& socket, const InstanceContext& ctx,
                        std::uint8_t priority) {
  auto e = core::expectation(ctx.instance, ctx.primary_address);
  vrrp::Advert a;
  a.version = e.version;
  a.vrid = e.vrid;
  a.priority = priority;
  a.adver_int_cs = e.adver_int_cs;
  a.auth_type = e.version == vrrp::Version::v2 ? e.auth_type : vrrp::AuthType::none;
  if (a.auth_type == vrrp::AuthType::simple_text) a.auth_data = e.auth_pass;
  a.addresses = e.vips;
  std::vector<net::IpAddress> targets = ctx.instance.unicast_peer;
  if (targets.empty())
    targets.push_back(ctx.primary_address.is_v4() ? net::vrrp_group_v4() : net::vrrp_group_v6());
  std::string error;
  for (const auto& dst : targets) {
    auto bytes = vrrp::encode(a, ctx.primary_address, dst, e.checksum_mode);
    if (auto* err = std::get_if<vrrp::EncodeError>(&bytes))
      return std::string("cannot encode advert: ") + vrrp::to_string(*err);
    auto r = socket.send_to(dst, std::get<std::vector<std::uint8_t>>(bytes));
    if (!r && error.empty()) error = r.error().message;
  }
  return error;
}

namespace {

struct AdvertIoState {
  InstanceContext ctx;
  Wiring wiring;
  std::unique_ptr<net::AdvertSocket> socket;
  std::uint64_t send_failures = 0;      // consecutive
  std::set<std::string> causes_logged;  // of the current run of failures
  net::Reactor::Watch reads;            // after socket: unwatched before it closes
  static inline const char* name = "advert_io";
};

using Self = advert_io_actor::stateful_base<AdvertIoState>;

/// Reads what the socket holds (at most 64 packets a call, so other sockets get their turn);
/// validation runs here so a flood of bad packets costs the actors one small message each.
void read_adverts(advert_io_actor me, net::AdvertSocket& socket, const vrrp::Expectation& expect,
                  const Log& log) {
  const bool v4 = socket.options().source.is_v4();
  for (int i = 0; i < 64; ++i) {
    auto r = socket.receive(0);
    if (!r) {
      log.warn(core::LogKind::advert_receive_failed, "Advert socket receive failed: {}", r.error().message);
      return;
    }
    if (!r->has_value()) return;
    const auto& p = **r;
    const auto& bytes = p.packet;
    // IPv6: the socket gave the message alone, and the header's fields beside it.
    auto result = v4 ? vrrp::receive(bytes.data(), bytes.size(), expect)
                      : vrrp::receive_ipv6(bytes.data(), bytes.size(), p.source, p.destination,
                                           p.hop_limit, expect);
    if (auto* ok = std::get_if<vrrp::ReceivedAdvert>(&result)) {
      vrrp::PeerAdvert event{ok->source, ok->advert.priority,
                             vrrp::Centiseconds{ok->advert.adver_int_cs}};
      caf::anon_send(me, AdvertIn{event});
      continue;
    }
    auto reason = std::get<vrrp::RejectReason>(result);
    std::string from;
    if (!v4) {
      from = " from " + p.source.to_string();
    } else if (auto ip = vrrp::parse_ipv4_packet(bytes.data(), bytes.size());
               std::holds_alternative<vrrp::IpPacket>(ip)) {
      from = " from " + std::get<vrrp::IpPacket>(ip).source.to_string();
    }
    caf::anon_send(me,
                   AdvertRejected{reason, std::to_string(bytes.size()) + "-byte packet" + from});
  }
}

advert_io_actor::behavior_type advert_io(Self* self, InstanceContext ctx) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  self->set_exception_handler(crash_handler("advert_io" + st.ctx.tag()));
  net::AdvertSocketOptions opts;
  opts.ifindex = static_cast<int>(st.ctx.ifindex);
  opts.source = st.ctx.primary_address;
  opts.join_group = st.ctx.instance.unicast_peer.empty();
  auto sock = net::AdvertSocket::open(opts);
  if (!sock) throw std::runtime_error("advert socket: " + sock.error().message);
  st.socket = std::make_unique<net::AdvertSocket>(std::move(*sock));
  auto me = caf::actor_cast<advert_io_actor>(self);
  auto* raw = st.socket.get();
  auto expect = core::expectation(st.ctx.instance, st.ctx.primary_address);
  st.reads = net::Reactor::get().watch(raw->fd(), [me, raw, expect, log = st.ctx.log()] {
    try {
      read_adverts(me, *raw, expect, log);
    } catch (const std::exception& e) {
      caf::anon_send(me, failed_atom::value, std::string(e.what()));
      throw;  // the reactor drops the watch; the restarted actor makes a new one
    }
  });
  return {
      [self](const Wiring& w) { self->state.wiring = w; },
      [self](const AdvertIn& in) {
        if (self->state.wiring.election) self->send(self->state.wiring.election, in);
      },
      [self](const AdvertRejected& r) {
        if (self->state.wiring.election) self->send(self->state.wiring.election, r);
      },
      [self](const AdvertOut& out) {
        auto& st = self->state;
        auto err = send_advert(*st.socket, st.ctx, out.priority);
        if (st.wiring.election) self->send(st.wiring.election, AdvertSent{err.empty()});
        if (err.empty()) {
          if (st.send_failures > 0)
            st.ctx.log().info(core::LogKind::adverts_resumed, "Adverts are sent again (after {} failed)",
                          field("failed", st.send_failures));
          st.send_failures = 0;
          st.causes_logged.clear();
          return;
        }
        ++st.send_failures;
        // Once per cause (the election steps a Master down and says so), not once per advert.
        if (st.causes_logged.insert(err).second) st.ctx.log().error(core::LogKind::advert_send_failed, "Cannot send adverts: {}", field("error", err));
      },
      [](failed_atom, const std::string& error) -> caf::result<void> {
        throw std::runtime_error(error);
      },
      [self](crash_atom) -> caf::result<void> {
        throw std::runtime_error("crash requested by test hook");
      },
  };
}

}  // namespace

caf::actor spawn_advert_io(caf::local_actor* parent, const InstanceContext& ctx) {
  // On the scheduler: sends never block (MSG_DONTWAIT) and the node's reactor does the reads.
  return caf::actor_cast<caf::actor>(parent->spawn(advert_io, ctx));
}

}  // namespace redkeep::actors
