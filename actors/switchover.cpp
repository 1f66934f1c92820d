#include "actors/switchover.hpp"

#include <memory>
#include <thread>

#include "actors/crash_reason.hpp"
#include "actors/messages.hpp"
#include "redis/catch_up.hpp"
#include "redis/operations.hpp"

namespace redkeep::actors {

namespace {

using Clock = std::chrono::steady_clock;

/// Between two reads of both offsets while catching up, and of the old Master's role while it
/// demotes: the writes wait meanwhile, so this is short.
constexpr auto kPoll = std::chrono::milliseconds(2);

struct SwitchoverState {
  InstanceContext ctx;
  Wiring wiring;
  std::unique_ptr<redis::Connection> master;  // the paused Master's Redis
  net::RedisEndpoint master_endpoint;
  std::uint64_t paused_id = 0;  // the CatchUp whose pause holds (0: none)
  Clock::time_point pause_ends;

  // An actor that fails or stops while writes are paused lifts the pause on its way out.
  ~SwitchoverState() {
    if (master && paused_id != 0 && !master->is_broken()) (void)redis::unpause(*master);
  }

  static inline const char* name = "switchover";
};

using Self = switchover_actor::stateful_base<SwitchoverState>;

redis::Result<redis::ReplicationInfo> replication(redis::Connection& conn) {
  auto i = redis::info(conn, {"replication"});
  if (!i) return i.error();
  return redis::parse_replication_info(i.value());
}

std::string pause_error(const redis::Error& e) {
  if (e.failure == redis::Failure::noperm)
    return "the Master's Redis refuses CLIENT PAUSE (its ACL user needs +client|pause "
           "+client|unpause): " + e.message;
  if (e.message.find("syntax") != std::string::npos)
    return "the Master's Redis does not know CLIENT PAUSE ... WRITE (Redis >= 6.2 needed): " +
           e.message;
  return "CLIENT PAUSE on the Master's Redis failed: " + e.message;
}

/// Lifts the pause of `id`: with `after_demotion`, once the old Master's Redis is no longer a
/// master (no write may land there after the catch-up), at the latest when the pause ends.
void release(Self* self, std::uint64_t id, bool after_demotion) {
  auto& st = self->state;
  if (!st.master || st.paused_id != id) return;
  std::string role = "not checked";
  while (after_demotion && Clock::now() < st.pause_ends) {
    auto r = redis::role(*st.master);
    if (!r) {
      role = "unknown (" + r.error().message + ")";
      break;
    }
    role = redis::to_string(r.value().kind);
    if (r.value().kind != redis::Role::Kind::master) break;
    std::this_thread::sleep_for(kPoll);
  }
  if (st.master->is_broken()) {
    auto again = open_instance_redis(st.ctx, st.master_endpoint.address.to_string(),
                                     st.master_endpoint.port, "redkeep-switchover");
    if (again) *st.master = std::move(again.value());
  }
  const auto peer = st.master->peer();
  auto u = redis::unpause(*st.master);
  if (u) {
    st.ctx.log().info("Switchover: writes unpaused on {} (its role: {})", peer, role);
  } else {
    st.ctx.log().warn("Switchover: CLIENT UNPAUSE on {} failed ({}); the pause ends by itself",
                      peer, u.error().message);
  }
  st.master.reset();
  st.paused_id = 0;
}

/// Pauses writes on the Master, then reads both offsets until they meet, the timeout passes,
/// or waiting cannot help. On failure the pause is lifted before the answer.
core::CaughtUp catch_up(Self* self, const core::CatchUp& c) {
  auto& st = self->state;
  const auto& rs = *st.ctx.instance.redis;
  const auto host = c.master.address.to_string();
  auto local = open_instance_redis(st.ctx, rs.host, rs.port, "redkeep-switchover");
  if (!local) return {c.id, false, "cannot reach the local Redis: " + local.error().message};
  auto m = open_instance_redis(st.ctx, host, c.master.port, "redkeep-switchover");
  if (!m)
    return {c.id, false,
            "cannot reach the Master's Redis at " + host + ":" + std::to_string(c.master.port) +
                ": " + m.error().message};
  st.master = std::make_unique<redis::Connection>(std::move(m.value()));
  st.master_endpoint = c.master;
  if (auto p = redis::pause_writes(*st.master, c.pause); !p) {
    st.master.reset();
    return {c.id, false, pause_error(p.error())};
  }
  st.paused_id = c.id;
  st.pause_ends = Clock::now() + c.pause;
  const auto started = Clock::now();
  std::string why;
  for (;;) {
    auto theirs = replication(*st.master);
    if (!theirs) {
      why = "reading the Master's offset failed: " + theirs.error().message;
      break;
    }
    auto mine = replication(local.value());
    if (!mine) {
      why = "reading the local offset failed: " + mine.error().message;
      break;
    }
    const auto s = redis::compare_catch_up(theirs.value(), mine.value());
    const auto waited =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
    if (s.done)
      return {c.id, true,
              "writes paused on the Master, its Redis at the Master's " + s.detail + " after " +
                  std::to_string(waited.count()) + " ms"};
    if (s.hopeless) {
      why = "its Redis cannot catch up: " + s.detail;
      break;
    }
    if (waited >= c.timeout) {
      why = "its Redis did not catch up within " + std::to_string(c.timeout.count()) +
            " ms (" + s.detail + ")";
      break;
    }
    std::this_thread::sleep_for(kPoll);
  }
  release(self, c.id, false);
  return {c.id, false, why + "; writes unpaused"};
}

switchover_actor::behavior_type switchover(Self* self, InstanceContext ctx) {
  self->state.ctx = std::move(ctx);
  self->set_exception_handler(crash_handler("switchover" + self->state.ctx.tag()));
  return {
      [self](const Wiring& w) { self->state.wiring = w; },
      [self](const core::CatchUp& c) {
        // A pause left by an earlier run (its release never came) goes first.
        release(self, self->state.paused_id, false);
        auto answer = catch_up(self, c);
        if (self->state.wiring.election) self->send(self->state.wiring.election, answer);
      },
      [self](const core::ReleasePause& r) { release(self, r.id, r.after_demotion); },
      [self](crash_atom) -> caf::result<void> {
        throw std::runtime_error("crash requested by test hook");
      },
  };
}

}  // namespace

caf::actor spawn_switchover(caf::local_actor* parent, const InstanceContext& ctx) {
  return caf::actor_cast<caf::actor>(parent->spawn<caf::detached>(switchover, ctx));
}

}  // namespace redkeep::actors
