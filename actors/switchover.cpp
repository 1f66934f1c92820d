#include "actors/switchover.hpp"

#include <memory>
#include <optional>

#include "actors/crash_reason.hpp"
#include "actors/on_lane.hpp"
#include "actors/messages.hpp"
#include "redis/catch_up.hpp"
#include "redis/operations.hpp"

namespace redkeep::actors {

namespace {

using Clock = std::chrono::steady_clock;

/// Between two reads of both offsets while catching up, and of the old Master's role while it
/// demotes: the writes wait meanwhile, so this is short. Each read is a message to itself (and
/// back to the lane), so that a stop or an abort is taken between two reads.
constexpr auto kPoll = std::chrono::milliseconds(5);

/// The switchover whose pause holds on the Master's Redis.
struct Run {
  core::CatchUp request;
  Clock::time_point started;
  Clock::time_point pause_ends;
  std::unique_ptr<redis::Connection> local;
  bool caught_up = false;  // CaughtUp ok sent: the takeover is under way
  bool releasing = false;  // lifting the pause once the old Master's Redis is a replica
};

/// The actor's state, used on its lane only: every message is handled there, since the hiredis
/// calls block.
struct SwitchoverCore {
  InstanceContext ctx;
  switchover_actor me;
  Wiring wiring;
  std::unique_ptr<redis::Connection> master;  // to the paused Master's Redis
  std::optional<Run> run;

  // An actor that fails or stops while catching up lifts the pause on its way out. After the
  // catch-up (the takeover under way) the pause ends by itself: writes must not reach the old
  // Master before it demotes.
  void leave() {
    if (run && !run->caught_up && master && !master->is_broken()) (void)redis::unpause(*master);
  }
};



redis::Result<redis::ReplicationInfo> replication(redis::Connection& conn) {
  auto i = redis::info(conn, {"replication"});
  if (!i) return i.error();
  return redis::parse_replication_info(i.value());
}

std::string pause_error(const redis::Error& e) {
  if (e.failure == redis::Failure::noperm)
    return "the Master's Redis refuses CLIENT PAUSE (its ACL user needs +client|pause "
           "+client|unpause): " +
           e.message;
  if (e.message.find("syntax") != std::string::npos)
    return "the Master's Redis does not know CLIENT PAUSE ... WRITE (Redis >= 6.2 needed): " +
           e.message;
  return "CLIENT PAUSE on the Master's Redis failed: " + e.message;
}

/// Another node's switchover on the Master's Redis (CLIENT LIST), "" when none: `all` any of
/// them, else only those that paused before ours.
std::string other_switchover(redis::Connection& master, bool all) {
  auto clients = redis::list_clients(master);
  if (!clients) return "";  // no +client|list: nothing to see, as before this check
  const auto own = master.local_address();
  if (all) {
    for (const auto& c : clients.value())
      if (c.name == redis::kSwitchoverClientName && c.addr != own) return c.addr;
    return "";
  }
  const auto earlier = redis::earlier_switchovers(clients.value(), own);
  return earlier.empty() ? "" : earlier.front().addr;
}

/// Opens the connection to the Master's Redis again when it broke (a timeout, a reset).
void reconnect_master(SwitchoverCore& st) {
  if (!st.master->is_broken()) return;
  auto again = open_instance_redis(st.ctx, st.run->request.master.address.to_string(),
                                   st.run->request.master.port, redis::kSwitchoverClientName);
  if (again) *st.master = std::move(again.value());
}

/// CLIENT UNPAUSE on the old Master; ends the run. Returns what happened, for the answer.
std::string unpause(SwitchoverCore& st, const std::string& why) {
  std::string text;
  reconnect_master(st);
  const auto peer = st.master->peer();
  if (auto u = redis::unpause(*st.master)) {
    text = "writes unpaused";
    st.ctx.log().info(core::LogKind::switchover, "Switchover: writes unpaused on {} ({})", peer, why);
  } else {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(st.run->pause_ends - Clock::now());
    text = "CLIENT UNPAUSE failed (" + u.error().message + "): writes stay paused for up to " +
           std::to_string(std::max<long long>(0, left.count())) + " ms";
    st.ctx.log().warn(core::LogKind::switchover, 
        "Switchover: CLIENT UNPAUSE on {} failed ({}); the pause ends by itself "
        "within {} ms",
        peer, u.error().message, std::max<long long>(0, left.count()));
  }
  st.run.reset();
  st.master.reset();
  return text;
}

void answer(SwitchoverCore& st, core::CaughtUp answer) {
  if (st.wiring.election) caf::anon_send(st.wiring.election, std::move(answer));
}

/// Starts a catch-up: connections, no other switchover on the Master, the pause.
void start(SwitchoverCore& st, const core::CatchUp& c) {
  const auto& rs = *st.ctx.instance.redis;
  const auto host = c.master.address.to_string();
  auto local = open_instance_redis(st.ctx, rs.host, rs.port, redis::kSwitchoverClientName);
  if (!local)
    return answer(st, {c.id, false, "cannot reach the local Redis: " + local.error().message});
  auto m = open_instance_redis(st.ctx, host, c.master.port, redis::kSwitchoverClientName);
  if (!m)
    return answer(st, {c.id, false,
                         "cannot reach the Master's Redis at " + host + ":" +
                             std::to_string(c.master.port) + ": " + m.error().message});
  st.master = std::make_unique<redis::Connection>(std::move(m.value()));
  if (auto other = other_switchover(*st.master, true); !other.empty()) {
    st.master.reset();
    return answer(st, {c.id, false,
                         "another node's switchover (" + other +
                             ") runs on the Master's Redis; one at a time"});
  }
  if (auto p = redis::pause_writes(*st.master, c.pause); !p) {
    // No answer in time: the pause may have taken effect all the same.
    const auto f = p.error().failure;
    if (f == redis::Failure::timeout || f == redis::Failure::closed || f == redis::Failure::io) {
      if (auto again =
              open_instance_redis(st.ctx, host, c.master.port, redis::kSwitchoverClientName))
        (void)redis::unpause(again.value());
    }
    st.master.reset();
    return answer(st, {c.id, false, pause_error(p.error())});
  }
  const auto now = Clock::now();
  st.run =
      Run{c, now, now + c.pause, std::make_unique<redis::Connection>(std::move(local.value()))};
  // Two nodes that paused at once: the one that came second gives way, and leaves the pause
  // to the first (CLIENT UNPAUSE would end the first one's pause too).
  if (auto other = other_switchover(*st.master, false); !other.empty()) {
    st.run.reset();
    st.master.reset();
    return answer(st, {c.id, false,
                         "another node's switchover (" + other +
                             ") paused the Master's Redis first; it lifts the pause"});
  }
  caf::anon_send(st.me, tick_atom::value, c.id);
}

/// One read of both offsets; answers once caught up, or aborts.
void catch_up_step(SwitchoverCore& st) {
  auto& run = *st.run;
  // Ours first: read after it, the Master's offset can only be ahead, never behind.
  auto mine = replication(*run.local);
  if (!mine) {
    const auto why = "reading the local offset failed: " + mine.error().message;
    const auto id = run.request.id;
    return answer(st, {id, false, why + "; " + unpause(st, "catch-up aborted")});
  }
  auto theirs = replication(*st.master);
  if (!theirs) {
    const auto why = "reading the Master's offset failed: " + theirs.error().message;
    const auto id = run.request.id;
    return answer(st, {id, false, why + "; " + unpause(st, "catch-up aborted")});
  }
  const auto s = redis::compare_catch_up(theirs.value(), mine.value());
  const auto waited =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - run.started);
  if (s.done) {
    run.caught_up = true;
    // No ReleasePause by the end of the pause (the election restarted meanwhile): forget it.
    caf::delayed_anon_send(st.me, run.pause_ends - Clock::now(), tick_atom::value, run.request.id);
    return answer(st, {run.request.id, true,
                         "writes paused on the Master, its Redis at the Master's " + s.detail +
                             " after " + std::to_string(waited.count()) + " ms"});
  }
  std::string why;
  if (s.hopeless) why = "its Redis cannot catch up: " + s.detail;
  if (why.empty() && waited >= run.request.timeout)
    why = "its Redis did not catch up within " + std::to_string(run.request.timeout.count()) +
          " ms (" + s.detail + ")";
  if (!why.empty()) {
    const auto id = run.request.id;
    return answer(st, {id, false, why + "; " + unpause(st, "catch-up aborted")});
  }
  caf::delayed_anon_send(st.me, kPoll, tick_atom::value, run.request.id);
}

/// One look at the old Master's role while releasing: the pause is lifted once it is a
/// replica, or when the pause would end anyway (a connection lost meanwhile is opened again).
void release_step(SwitchoverCore& st) {
  reconnect_master(st);
  auto role = redis::role(*st.master);
  if (role && role.value().kind != redis::Role::Kind::master)
    return (void)unpause(st, "it is a replica now");
  if (Clock::now() >= st.run->pause_ends) {
    st.ctx.log().error(core::LogKind::switchover, 
        "Switchover: the old Master's Redis {} is still {} at the end of the "
        "pause: its redkeep did not demote it (stopped, or not running)",
        st.master->peer(), role ? "master" : "unknown (" + role.error().message + ")");
    return (void)unpause(st, "the pause is over");
  }
  caf::delayed_anon_send(st.me, kPoll, tick_atom::value, st.run->request.id);
}

struct SwitchoverState : OnLane<SwitchoverCore> {
  ~SwitchoverState() {
    try {
      if (lane) lane->finish_with([core = core] { core->leave(); });
    } catch (const std::exception& e) {  // no thread for it: the pause ends by its timeout
      core->ctx.log().warn(redkeep::core::LogKind::switchover,
                           "Switchover: cannot lift the pause on exit: {}", e.what());
    }
  }
  static inline const char* name = "switchover";
};

using Self = switchover_actor::stateful_base<SwitchoverState>;

switchover_actor::behavior_type switchover(Self* self, InstanceContext ctx) {
  self->set_exception_handler(crash_handler("switchover" + ctx.tag()));
  self->state.start("rk-switchover", caf::actor_cast<switchover_actor>(self), std::move(ctx));
  return {
      [self](const Wiring& w) {
        self->state.run([w](SwitchoverCore& st) {
          const bool new_election = w.election != st.wiring.election;
          st.wiring = w;
          // A restarted election knows nothing of the run: a catch-up is abandoned, a takeover
          // under way has its pause lifted once the old Master demotes.
          if (!new_election || !st.run) return;
          if (!st.run->caught_up) {
            (void)unpause(st, "the election restarted during the catch-up");
          } else if (!st.run->releasing) {
            st.run->releasing = true;
            caf::anon_send(st.me, tick_atom::value, st.run->request.id);
          }
        });
      },
      [self](const core::CatchUp& c) {
        self->state.run([c](SwitchoverCore& st) {
          if (st.run) (void)unpause(st, "a new switchover");
          start(st, c);
        });
      },
      [self](tick_atom, std::uint64_t id) {
        self->state.run([id](SwitchoverCore& st) {
          if (!st.run || st.run->request.id != id) return;
          if (st.run->releasing) return release_step(st);
          if (!st.run->caught_up) return catch_up_step(st);
          if (Clock::now() >= st.run->pause_ends) {
            st.ctx.log().warn(core::LogKind::switchover,
                              "Switchover: no release came; the pause on {} ended by itself",
                              st.master->peer());
            st.run.reset();
            st.master.reset();
          }
        });
      },
      [self](const core::ReleasePause& r) {
        self->state.run([r](SwitchoverCore& st) {
          if (!st.run || st.run->request.id != r.id) return;
          if (!r.after_demotion || !st.run->caught_up) {
            (void)unpause(st, "switchover aborted");
            return;
          }
          st.run->releasing = true;
          release_step(st);
        });
      },
      // A task that threw on the lane crashes the actor, as it would have on its own thread.
      [](failed_atom, const std::string& error) -> caf::result<void> {
        throw std::runtime_error(error);
      },
      [self](crash_atom) -> caf::result<void> {
        throw std::runtime_error("crash requested by test hook");
      },
  };
}

}  // namespace

caf::actor spawn_switchover(caf::local_actor* parent, const InstanceContext& ctx) {
  // On the scheduler: the hiredis calls run on its lane, a thread only while there is work.
  return caf::actor_cast<caf::actor>(parent->spawn(switchover, ctx));
}

}  // namespace redkeep::actors
