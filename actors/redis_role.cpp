#include "actors/redis_role.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <optional>
#include <vector>

#include "actors/crash_reason.hpp"
#include "actors/messages.hpp"
#include "actors/redis_health.hpp"
#include "redis/connection.hpp"
#include "redis/operations.hpp"

namespace redkeep::actors {

namespace {

using retry_atom = caf::atom_constant<caf::atom("retry")>;

/// Delay between attempts while Redis refuses or is unreachable.
constexpr auto kRetryInterval = std::chrono::milliseconds(250);

struct RedisRoleState {
  InstanceContext ctx;
  Wiring wiring;
  std::unique_ptr<redis::Connection> conn;
  std::optional<RoleCommand> pending;  // latest command not yet verified
  bool failure_reported = false;       // one RoleDone(ok=false) per generation
  static inline const char* name = "redis_role";
};

using Self = caf::stateful_actor<RedisRoleState>;

redis::Result<redis::Connection*> connection(Self* self) {
  auto& st = self->state;
  if (st.conn && !st.conn->is_broken()) return st.conn.get();
  st.conn.reset();
  const auto& rs = *st.ctx.instance.redis;
  auto c = redis::Connection::open(rs.host, rs.port, rs.check_timeout, rs.check_timeout, rs.user,
                                   redis_password(rs), "redkeep-role");
  if (!c) return c.error();
  st.conn = std::make_unique<redis::Connection>(std::move(c.value()));
  return st.conn.get();
}

/// INFO replication and keyspace of the new master, over a short-lived
/// connection; nullopt when it cannot be reached (REPLICAOF then decides).
std::optional<redis::InfoSections> master_info(Self* self, const std::string& host, int port) {
  const auto& rs = *self->state.ctx.instance.redis;
  auto c = redis::Connection::open(host, port, rs.check_timeout, rs.check_timeout, rs.user,
                                   redis_password(rs), "redkeep-peer");
  if (!c) return std::nullopt;
  auto info = redis::info(c.value(), {"replication", "keyspace"});
  if (!info) return std::nullopt;
  return info.value();
}

/// A master being demoted may have taken writes the new master never saw (an
/// isolated old master): compare its offset with the point where the new
/// master's history left it (second_repl_offset of the same replication id)
/// and say how many bytes the re-sync throws away. Empty when unknown.
std::string writes_discarded(const redis::InfoSections& mine, const redis::InfoSections& theirs) {
  auto m = redis::parse_replication_info(mine);
  auto t = redis::parse_replication_info(theirs);
  auto own_offset = m.master_repl_offset.value_or(0);
  if (!m.master_replid.empty() && t.master_replid2 == m.master_replid && t.second_repl_offset) {
    auto diverged = own_offset - (*t.second_repl_offset - 1);
    if (diverged <= 0) return "; it took no writes the new master lacks";
    return "; it took " + std::to_string(diverged) + " bytes of writes after the new master "
           "took over (offset " + std::to_string(own_offset) + ", the new master continued from " +
           std::to_string(*t.second_repl_offset - 1) + "): the re-sync discards them";
  }
  if (t.master_replid == m.master_replid || own_offset == 0) return "";
  return "; its history (replid " + m.master_replid.substr(0, 8) + ", offset " +
         std::to_string(own_offset) + ") is not the new master's: a full sync replaces its data";
}

/// Keys in all databases, from INFO keyspace ("db0:keys=3,expires=0,...").
std::int64_t key_count(const redis::InfoSections& info) {
  std::int64_t total = 0;
  auto it = info.find("keyspace");
  if (it == info.end()) return 0;
  for (const auto& [db, value] : it->second) {
    auto pos = value.find("keys=");
    if (pos == std::string::npos) continue;
    total += std::strtoll(value.c_str() + pos + 5, nullptr, 10);
  }
  return total;
}

/// Whether this Redis holds data loaded from disk: the only data worth a
/// refusal (a Redis that restarted empty holds at most stray writes from
/// before redkeep guarded it).
bool holds_loaded_data(const redis::InfoSections& mine) {
  auto loaded = redis::parse_persistence_info(mine).rdb_last_load_keys_loaded;
  return key_count(mine) > 0 && loaded.value_or(0) > 0;
}

/// How many of `keys` the Redis at host:port lacks, over a short-lived
/// connection; nullopt when it cannot be asked.
std::optional<std::size_t> missing_on(Self* self, const std::string& host, int port,
                                      const std::vector<std::string>& keys) {
  const auto& rs = *self->state.ctx.instance.redis;
  auto c = redis::Connection::open(host, port, rs.check_timeout, rs.check_timeout, rs.user,
                                   redis_password(rs), "redkeep-peer");
  if (!c) return std::nullopt;
  auto existing = redis::count_existing(c.value(), keys);
  if (!existing) return std::nullopt;
  // EXISTS counts a name given twice twice (SCAN may return one twice): the
  // difference stays within 0..size.
  auto found = std::clamp<std::int64_t>(existing.value(), 0,
                                        static_cast<std::int64_t>(keys.size()));
  return keys.size() - static_cast<std::size_t>(found);
}

/// Cold start with the newest data started last (issue 7.5): a full sync
/// from a master of another history would delete what this Redis loaded
/// from its RDB file. It goes ahead only when the master holds every key of
/// a sample of this node's (a leftover, say the RDB of an old full sync):
/// the key counts alone cannot tell, since an emptier master started first
/// soon holds more keys once clients write to it. Otherwise refuses, with
/// what each side holds and the commands that settle it. Empty when the
/// sync may go ahead.
std::string history_refusal(Self* self, redis::Connection& conn, const redis::InfoSections& mine,
                            const redis::InfoSections& theirs, const std::string& host,
                            int port) {
  const auto& rs = *self->state.ctx.instance.redis;
  if (!holds_loaded_data(mine)) return "";
  auto keys = key_count(mine);
  auto m = redis::parse_replication_info(mine);
  auto t = redis::parse_replication_info(theirs);
  const std::string none(40, '0');
  auto shared = [&](const std::string& id) {
    return !id.empty() && id != none && (id == t.master_replid || id == t.master_replid2);
  };
  if (shared(m.master_replid) || shared(m.master_replid2)) return "";
  auto master_keys = key_count(theirs);
  std::string missing_text;
  auto sample = redis::sample_keys(conn, 64);
  auto missing = sample && !sample.value().empty()
                     ? missing_on(self, host, port, sample.value())
                     : std::nullopt;
  if (missing) {
    if (*missing == 0) return "";
    missing_text = std::to_string(*missing) + " of " + std::to_string(sample.value().size()) +
                   " of its keys sampled are missing on the master, which holds ";
  } else {
    // Keys cannot be compared (SCAN or EXISTS refused): fall back to the counts.
    if (master_keys >= keys) return "";
    missing_text = "the master holds ";
  }
  return "refusing to make this Redis a replica of " + host + ":" + std::to_string(port) +
         ": it holds " + std::to_string(keys) + " keys (replid " + m.master_replid.substr(0, 8) +
         ", offset " + std::to_string(m.master_repl_offset.value_or(0)) + "), " + missing_text +
         std::to_string(master_keys) + " keys of another history (replid " +
         t.master_replid.substr(0, 8) + ", offset " +
         std::to_string(t.master_repl_offset.value_or(0)) +
         "); a full sync would delete this node's data. To keep this node's data, make the "
         "master a replica of it: redis-cli -h " + host + " -p " + std::to_string(port) +
         " REPLICAOF " + self->state.ctx.primary_address.to_string() + " " +
         std::to_string(rs.port) + " (then restart redkeep there). To discard it: redis-cli -p " +
         std::to_string(rs.port) + " FLUSHALL on this node; redkeep then makes it a replica";
}

/// One attempt at the pending command. Returns the text for RoleDone, or an
/// Error when it has to be retried.
redis::Result<std::string> apply(Self* self, const RoleCommand& cmd) {
  auto c = connection(self);
  if (!c) return c.error();
  auto& conn = *c.value();
  auto before = redis::role(conn);
  if (!before) return before.error();
  bool was_master = before.value().kind == redis::Role::Kind::master;
  if (!cmd.master) {
    // Before the promotion, so that no write is accepted without the
    // replicas the operator asked for; a refusal (CONFIG renamed, ACL) is
    // reported but does not block the promotion.
    std::string min_replicas;
    if (const auto& rs = *self->state.ctx.instance.redis; rs.min_replicas_to_write) {
      auto r = redis::set_min_replicas(conn, *rs.min_replicas_to_write, rs.min_replicas_max_lag);
      if (!r && r.error().failure == redis::Failure::closed) return r.error();
      min_replicas = r ? ", min-replicas-to-write " + std::to_string(*rs.min_replicas_to_write) +
                             " min-replicas-max-lag " + std::to_string(rs.min_replicas_max_lag)
                       : ", setting min-replicas-to-write failed: " + r.error().message;
    }
    if (!was_master) {
      auto r = redis::replicaof_no_one(conn);
      if (!r) return r.error();
    }
    auto v = redis::verify_role(conn, redis::ExpectedRole::master());
    if (!v) return v.error();
    if (!v.value()) return redis::Error{redis::Failure::other, "ROLE does not show master yet"};
    return std::string(was_master ? "was already master" : "REPLICAOF NO ONE") + min_replicas;
  }
  auto host = cmd.master->to_string();
  auto expected = redis::ExpectedRole::replica_of(host, cmd.port);
  const bool change = !redis::role_matches(before.value(), expected);
  // Both sides' INFO are read once, and the new master is asked only when
  // there is something to compare: a demoted master, or loaded data.
  std::string discarded;
  auto mine = redis::info(conn, {"replication", "keyspace", "persistence"});
  if (mine && (was_master || (change && holds_loaded_data(mine.value())))) {
    if (auto theirs = master_info(self, host, cmd.port)) {
      if (change) {
        auto refusal = history_refusal(self, conn, mine.value(), *theirs, host, cmd.port);
        if (!refusal.empty()) return redis::Error{redis::Failure::other, refusal};
      }
      if (was_master) discarded = writes_discarded(mine.value(), *theirs);
    }
  }
  if (change) {
    auto r = redis::replicaof(conn, host, cmd.port);
    if (!r) return r.error();
  }
  auto v = redis::verify_role(conn, expected);
  if (!v) return v.error();
  if (!v.value()) return redis::Error{redis::Failure::other, "ROLE does not show the replica yet"};
  std::string detail = "REPLICAOF " + host + " " + std::to_string(cmd.port) + discarded;
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

void attempt(Self* self) {
  auto& st = self->state;
  if (!st.pending) return;
  auto cmd = *st.pending;
  redis::Result<std::string> r = redis::Error{};
  // A kept connection may have been closed since (Redis restarted): one
  // immediate retry on a fresh one before anything is reported.
  for (int tries = 0; tries < 2; ++tries) {
    try {
      r = apply(self, cmd);
    } catch (const std::exception& e) {  // password_file unreadable
      r = redis::Error{redis::Failure::auth, e.what()};
    }
    if (r || r.error().failure != redis::Failure::closed) break;
  }
  if (r) {
    st.pending.reset();
    if (st.wiring.election) self->send(st.wiring.election, RoleDone{cmd.generation, true, r.value()});
    return;
  }
  if (!st.failure_reported && st.wiring.election) {
    auto f = r.error().failure;
    self->send(st.wiring.election,
               RoleDone{cmd.generation, false,
                        std::string(redis::to_string(f)) + ": " + r.error().message +
                            " (retrying)",
                        f == redis::Failure::noperm || f == redis::Failure::unknown_command});
    st.failure_reported = true;
  }
  self->delayed_send(self, kRetryInterval, retry_atom::value, cmd.generation);
}

caf::behavior redis_role(Self* self, InstanceContext ctx) {
  self->state.ctx = std::move(ctx);
  self->set_exception_handler(crash_handler("redis_role" + self->state.ctx.tag()));
  return {
      [self](const Wiring& w) { self->state.wiring = w; },
      [self](const RoleCommand& cmd) {
        auto& st = self->state;
        if (st.pending && st.pending->generation > cmd.generation) return;
        st.pending = cmd;
        st.failure_reported = false;
        attempt(self);
      },
      [self](retry_atom, std::uint64_t generation) {
        auto& st = self->state;
        if (st.pending && st.pending->generation == generation) attempt(self);
      },
      [self](crash_atom) -> caf::result<void> {
        throw std::runtime_error("crash requested by test hook");
      },
  };
}

}  // namespace

caf::actor spawn_redis_role(caf::local_actor* parent, const InstanceContext& ctx) {
  return parent->spawn<caf::detached>(redis_role, ctx);
}

}  // namespace redkeep::actors
