#include "actors/redis_role.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>
#include <optional>
#include <vector>

#include "actors/crash_reason.hpp"
#include "actors/on_lane.hpp"
#include "actors/messages.hpp"
#include "actors/redis_health.hpp"
#include "config/password.hpp"
#include "redis/connection.hpp"
#include "redis/operations.hpp"

namespace redkeep::actors {

namespace {

/// Delay between attempts while Redis refuses or is unreachable.
constexpr auto kRetryInterval = std::chrono::milliseconds(250);

/// The actor's state, used on its lane only: every message is handled there, since the hiredis
/// calls block.
struct RoleCore {
  InstanceContext ctx;
  redis_role_actor me;
  Wiring wiring;
  std::unique_ptr<redis::Connection> conn;
  std::optional<RoleCommand> pending;  // latest command not yet verified
  std::string failure_reported;        // the kind last reported by RoleDone(ok=false)
  std::chrono::steady_clock::time_point failure_reported_at;
  bool gate_refused = false;  // the last attempt failed on the sync gate's refusal
};

redis::Result<redis::Connection> open_redis(RoleCore& st, const std::string& host, int port,
                                            const char* client_name) {
  return open_instance_redis(st.ctx, host, port, client_name);
}

redis::Result<redis::Connection*> connection(RoleCore& st) {
  if (st.conn && !st.conn->is_broken()) return st.conn.get();
  st.conn.reset();
  const auto& rs = *st.ctx.instance.redis;
  auto c = open_redis(st, rs.host, rs.port, "redkeep-role");
  if (!c) return c.error();
  st.conn = std::make_unique<redis::Connection>(std::move(c.value()));
  return st.conn.get();
}

/// The sync gate (redis/sync_gate.hpp) on this Redis and the master at host:port: both INFO
/// once, and key samples both ways only when the gate needs them, over one short-lived
/// connection to the master. Errors: the local Redis's (retried).
redis::Result<redis::SyncVerdict> ask_sync_gate(RoleCore& st, redis::Connection& conn,
                                                const std::string& host, const RoleCommand& cmd) {
  redis::SyncRequest request;
  request.loaded_data = cmd.loaded_data;
  request.parties = {host, cmd.port, st.ctx.primary_address.to_string(),
                     st.ctx.instance.redis->port};
  auto mine = redis::info(conn, {"replication", "keyspace", "persistence"});
  if (!mine) return mine.error();
  request.mine = mine.value();
  auto master = open_redis(st, host, cmd.port, "redkeep-peer");
  if (master) {
    if (auto i = redis::info(master.value(), {"replication", "keyspace", "persistence"}))
      request.theirs = i.value();
  }
  if (redis::needs_key_samples(request)) {
    request.ours_there = redis::sample_against(conn, master.value(), request.mine);
    request.theirs_here = redis::sample_against(master.value(), conn, *request.theirs);
  }
  return redis::judge_sync(request);
}

/// manage_masterauth yes: the redis block's credentials become this Redis's masterauth and
/// masteruser at each role change, before REPLICAOF, so that the sync that follows
/// authenticates. Returns the note for the role line ("" when not managed).
std::string manage_masterauth(RoleCore& st, redis::Connection& conn) {
  const auto& rs = *st.ctx.instance.redis;
  if (!rs.manage_masterauth) return "";
  redis::Access access;
  try {
    access = config::read_redis_access(rs);
  } catch (const std::exception& e) {
    return std::string(", masterauth not set (") + e.what() + ")";
  }
  if (!access.password) return "";
  auto r = redis::set_masterauth(conn, *access.password, access.user);
  if (!r) return ", masterauth not set (CONFIG SET " + r.error().message + ")";
  return access.user ? ", masterauth and masteruser set" : ", masterauth set";
}

/// One attempt at the pending command. Returns the text for RoleDone, or an
/// Error when it has to be retried.
redis::Result<std::string> apply(RoleCore& st, const RoleCommand& cmd) {
  auto c = connection(st);
  if (!c) return c.error();
  auto& conn = *c.value();
  auto before = redis::role(conn);
  if (!before) return before.error();
  bool was_master = before.value().kind == redis::Role::Kind::master;
  const std::string masterauth = manage_masterauth(st, conn);
  if (!cmd.master) {
    // Before the promotion, so that no write is accepted without the
    // replicas the operator asked for; a refusal (CONFIG renamed, ACL) is
    // reported but does not block the promotion.
    std::string min_replicas;
    if (const auto& rs = *st.ctx.instance.redis; rs.min_replicas_to_write) {
      auto r = redis::set_min_replicas(conn, *rs.min_replicas_to_write, rs.min_replicas_max_lag);
      if (!r && r.error().failure == redis::Failure::closed) return r.error();
      if (r) {
        min_replicas = ", min-replicas-to-write " + std::to_string(*rs.min_replicas_to_write) +
                       " min-replicas-max-lag " + std::to_string(rs.min_replicas_max_lag);
      } else {
        // Promoting anyway: a master without the guard beats no master.
        min_replicas = ", without min-replicas (CONFIG SET refused)";
        st.ctx.log().warn(
            core::LogKind::config_warning,
            "CONFIG SET {}: this master accepts writes without the replicas "
            "min_replicas_to_write asks for (check rename-command and the ACL: "
            "+config|set)",
            r.error().message);
      }
    }
    if (!was_master) {
      auto r = redis::replicaof_no_one(conn);
      if (!r) return r.error();
    }
    auto v = redis::verify_role(conn, redis::ExpectedRole::master());
    if (!v) return v.error();
    if (!v.value()) return redis::Error{redis::Failure::other, "ROLE does not show master yet"};
    return std::string(was_master ? "was already master" : "REPLICAOF NO ONE") + min_replicas +
           masterauth;
  }
  auto host = cmd.master->to_string();
  auto expected = redis::ExpectedRole::replica_of(host, cmd.port);
  std::string discarded;
  if (!redis::role_matches(before.value(), expected)) {
    auto verdict = ask_sync_gate(st, conn, host, cmd);
    if (!verdict) return verdict.error();
    if (!verdict.value().permit) {
      st.gate_refused = true;
      // A Master that may not follow still must not take writes: a replica of nowhere keeps
      // its data read-only, and its clients go (they reconnect through the VIP).
      if (was_master && redis::replicaof_nowhere(conn) && cmd.kill_clients)
        (void)redis::kill_clients_except_redkeep(conn);
      return redis::Error{redis::Failure::other, verdict.value().refusal};
    }
    auto r = redis::replicaof(conn, std::move(*verdict.value().permit));
    if (!r) return r.error();
    discarded = verdict.value().note;
  }
  auto v = redis::verify_role(conn, expected);
  if (!v) return v.error();
  if (!v.value()) return redis::Error{redis::Failure::other, "ROLE does not show the replica yet"};
  std::string detail =
      "REPLICAOF " + host + " " + std::to_string(cmd.port) + discarded + masterauth;
  if (was_master && cmd.kill_clients) {
    auto killed = redis::kill_clients_except_redkeep(conn);
    if (killed) {
      detail += ", killed " + std::to_string(killed.value()) + " client connection(s)";
    } else {
      detail += ", killing clients failed: " + killed.error().message;
    }
  }
  return detail;
}

void attempt(RoleCore& st) {
  if (!st.pending) return;
  auto cmd = *st.pending;
  redis::Result<std::string> r = redis::Error{};
  // A kept connection may have been closed since (Redis restarted): one
  // immediate retry on a fresh one before anything is reported.
  for (int tries = 0; tries < 2; ++tries) {
    st.gate_refused = false;
    r = apply(st, cmd);
    if (r || r.error().failure != redis::Failure::closed) break;
  }
  if (r) {
    st.pending.reset();
    if (st.wiring.election)
      caf::anon_send(st.wiring.election, RoleDone{cmd.generation, true, r.value()});
    return;
  }
  // Reported when it first fails and again when the failure changes (LOADING, then the gate's
  // refusal), at most every 5 s: offsets and key counts in the text move while it retries.
  const auto f = r.error().failure;
  std::string kind = redis::to_string(f);
  for (char c : r.error().message)
    if (!std::isdigit(static_cast<unsigned char>(c))) kind += c;
  const auto now = std::chrono::steady_clock::now();
  if (kind != st.failure_reported && st.wiring.election &&
      (st.failure_reported.empty() || now - st.failure_reported_at >= std::chrono::seconds(5))) {
    caf::anon_send(st.wiring.election,
               RoleDone{cmd.generation, false,
                        std::string(redis::to_string(f)) + ": " + r.error().message + " (retrying)",
                        f == redis::Failure::noperm || f == redis::Failure::unknown_command,
                        st.gate_refused});
    st.failure_reported = kind;
    st.failure_reported_at = now;
  }
  caf::delayed_anon_send(st.me, kRetryInterval, retry_atom::value, cmd.generation);
}

struct RedisRoleState : OnLane<RoleCore> {
  static inline const char* name = "redis_role";
};

using Self = redis_role_actor::stateful_base<RedisRoleState>;

redis_role_actor::behavior_type redis_role(Self* self, InstanceContext ctx) {
  self->set_exception_handler(crash_handler("redis_role" + ctx.tag()));
  self->state.start("rk-redis-role", caf::actor_cast<redis_role_actor>(self), std::move(ctx));
  return {
      [self](const Wiring& w) {
        self->state.run([w](RoleCore& st) { st.wiring = w; });
      },
      [self](const RoleCommand& cmd) {
        self->state.run([cmd](RoleCore& st) {
          if (st.pending && st.pending->generation > cmd.generation) return;
          st.pending = cmd;
          st.failure_reported.clear();
          attempt(st);
        });
      },
      [self](retry_atom, std::uint64_t generation) {
        self->state.run([generation](RoleCore& st) {
          if (st.pending && st.pending->generation == generation) attempt(st);
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

caf::actor spawn_redis_role(caf::local_actor* parent, const InstanceContext& ctx) {
  // On the scheduler: the hiredis calls run on its lane, a thread only while there is work.
  return caf::actor_cast<caf::actor>(parent->spawn(redis_role, ctx));
}

}  // namespace redkeep::actors
