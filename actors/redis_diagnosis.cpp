#include "actors/redis_diagnosis.hpp"

#include <algorithm>
#include <memory>
#include <thread>

#include "actors/crash_reason.hpp"
#include "actors/messages.hpp"
#include "actors/poll_thread.hpp"
#include "config/preflight_target.hpp"
#include "redis/connection.hpp"
#include "redis/link_diagnosis.hpp"
#include "redis/operations.hpp"
#include "redis/preflight.hpp"
#include "redis/preflight_probe.hpp"
#include "redis/sync_gate.hpp"

namespace redkeep::actors {

namespace {

using Clock = std::chrono::steady_clock;

/// While the local Redis does not answer, the preflight is tried again this often.
constexpr auto kPreflightRetry = std::chrono::seconds(5);
/// A diagnosis round at most this often (and at least every check_interval).
constexpr auto kMinRound = std::chrono::seconds(1);
/// A replica's link down for this many rounds before the probes ask its master why.
constexpr int kRoundsBeforeProbes = 3;

/// Sleeps `d` in steps, returning early (false) when asked to stop.
bool pause(std::chrono::milliseconds d, const std::atomic<bool>& stop) {
  const auto until = Clock::now() + d;
  while (!stop && Clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  return !stop;
}

void log_findings(const Log& log, const std::vector<redis::Finding>& findings) {
  if (findings.empty()) {
    log.info(core::LogKind::preflight, "Redis preflight: nothing to report");
    return;
  }
  for (const auto& f : findings) {
    if (f.severity == redis::Severity::note)
      log.info(core::LogKind::preflight, "Redis preflight: {}", f.to_string());
    else
      log.warn(core::LogKind::preflight, "Redis preflight: {}", f.to_string());
  }
}

std::optional<std::int64_t> number(const redis::InfoSections& info, const char* section,
                                   const char* field) {
  const std::string* v = redis::find_info_field(info, section, field);
  if (!v) return std::nullopt;
  try {
    return std::stoll(*v);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

/// One diagnosis round on `conn` (the local Redis): INFO replication, and while the replica's
/// link has been down long enough, the probes of its master.
redis::LinkObservation observe(redis::Connection& conn, const redis::PreflightTarget& target,
                               const redis::LinkDiagnosis& diagnosis) {
  redis::LinkObservation o;
  o.now = Clock::now();
  auto info = redis::info(conn, {"replication"});
  if (!info) return o;
  const auto repl = redis::parse_replication_info(info.value());
  if (repl.role == redis::InfoRole::master) {
    if (auto v = redis::config_get(conn, "min-replicas-to-write"); v && v.value()) {
      try {
        o.min_replicas_to_write = std::stoll(*v.value());
      } catch (const std::exception&) {
      }
    }
    o.good_replicas = number(info.value(), "replication", "min_slaves_good_slaves");
    return o;
  }
  if (repl.role != redis::InfoRole::replica || !repl.master_host || !repl.master_port) return o;
  // redis_health's restart guard points a restarted Redis at nowhere: not a link to diagnose.
  if (*repl.master_host == redis::kNowhereHost && *repl.master_port == redis::kNowherePort)
    return o;
  o.master = net::host_port(*repl.master_host, *repl.master_port);
  o.link_up = repl.master_link_status == redis::LinkStatus::up;
  if (o.link_up || !diagnosis.probes_due(o.now)) return o;
  redis::LocalFacts local;
  for (const char* name : {"masterauth", "masteruser"}) {
    if (auto v = redis::config_get(conn, name); v && v.value()) local.config[name] = *v.value();
  }
  const auto master = redis::probe_member(target, *repl.master_host, *repl.master_port, local);
  if (master.unreachable) {
    o.connect_error = master.unreachable;
    return o;
  }
  o.auth_problem =
      redis::master_auth_problem(master, local.config["masterauth"], local.config["masteruser"]);
  auto c = redis::Connection::open(*repl.master_host, *repl.master_port, target.timeout,
                                   target.timeout, target.access, "redkeep-diagnosis");
  if (c) {
    if (auto stats = redis::info(c.value(), {"stats"}))
      o.master_sync_full = number(stats.value(), "stats", "sync_full");
  }
  return o;
}

void diagnosis_loop(const InstanceContext& ctx, redis_diagnosis_actor me,
                    const std::atomic<bool>& stop) {
  redis::PreflightTarget target;
  try {
    target = config::preflight_target(ctx.instance, ctx.state_file);
  } catch (const std::exception&) {
    return;  // an unreadable password_file: redis_health reports it
  }
  target.stop = &stop;
  const auto log = ctx.log();
  while (!stop) {
    const auto facts = redis::probe_preflight(target);
    if (stop) return;
    if (!facts.local.unreachable) {
      log_findings(log, redis::judge_preflight(facts));
      break;
    }
    if (!pause(kPreflightRetry, stop)) return;
  }
  const auto round =
      std::max<std::chrono::milliseconds>(ctx.instance.redis->check_interval, kMinRound);
  redis::LinkDiagnosis diagnosis(kRoundsBeforeProbes * round);
  std::optional<redis::Connection> conn;
  while (pause(round, stop)) {
    if (!conn || conn->is_broken()) {
      conn.reset();
      auto c = redis::Connection::open(target.host, target.port, target.timeout, target.timeout,
                                       target.access, "redkeep-diagnosis");
      if (!c) continue;  // redis_health reports a Redis that is down
      conn.emplace(std::move(c.value()));
    }
    const auto lines = diagnosis.observe(observe(*conn, target, diagnosis));
    for (const auto& l : lines) {
      if (l.warning)
        log.warn(core::LogKind::link_diagnosis, "Replication diagnosis: {}", l.text);
      else
        log.info(core::LogKind::link_diagnosis, "Replication diagnosis: {}", l.text);
    }
    if (!lines.empty()) caf::anon_send(me, core::ReplicationDiagnosis{diagnosis.causes()});
  }
}

struct DiagnosisState {
  Wiring wiring;
  std::unique_ptr<PollThread> thread;
  static inline const char* name = "redis_diagnosis";
};

using Self = redis_diagnosis_actor::stateful_base<DiagnosisState>;

redis_diagnosis_actor::behavior_type redis_diagnosis(Self* self, InstanceContext ctx) {
  self->set_exception_handler(crash_handler("redis_diagnosis" + ctx.tag()));
  auto me = caf::actor_cast<redis_diagnosis_actor>(self);
  self->state.thread = std::make_unique<PollThread>(
      "rk-diagnosis",
      [ctx, me](const std::atomic<bool>& stop) { diagnosis_loop(ctx, me, stop); },
      PollThread::Ending::release);
  return {
      [self](const Wiring& w) { self->state.wiring = w; },
      [self](const core::ReplicationDiagnosis& d) {
        if (self->state.wiring.election) self->send(self->state.wiring.election, d);
      },
      [](crash_atom) -> caf::result<void> {
        throw std::runtime_error("crash requested by test hook");
      },
  };
}

}  // namespace

caf::actor spawn_redis_diagnosis(caf::local_actor* parent, const InstanceContext& ctx) {
  // On the scheduler: the rounds block on a thread of their own, which it never waits for.
  return caf::actor_cast<caf::actor>(parent->spawn(redis_diagnosis, ctx));
}

}  // namespace redkeep::actors
