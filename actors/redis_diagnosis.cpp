#include "actors/redis_diagnosis.hpp"

#include <memory>
#include <thread>

#include "actors/crash_reason.hpp"
#include "actors/messages.hpp"
#include "actors/poll_thread.hpp"
#include "config/preflight_target.hpp"
#include "redis/preflight.hpp"

namespace redkeep::actors {

namespace {

/// While the local Redis does not answer, the preflight is tried again this often.
constexpr auto kPreflightRetry = std::chrono::seconds(5);

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

void preflight_loop(const InstanceContext& ctx, const std::atomic<bool>& stop) {
  redis::PreflightTarget target;
  try {
    target = config::preflight_target(ctx.instance, ctx.state_file);
  } catch (const std::exception&) {
    return;  // an unreadable password_file: redis_health reports it
  }
  target.stop = &stop;
  while (!stop) {
    const auto facts = redis::probe_preflight(target);
    if (stop) return;
    if (!facts.local.unreachable) {
      log_findings(ctx.log(), redis::judge_preflight(facts));
      return;
    }
    const auto until = std::chrono::steady_clock::now() + kPreflightRetry;
    while (!stop && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

struct DiagnosisState {
  std::unique_ptr<PollThread> thread;
  static inline const char* name = "redis_diagnosis";
};

using Self = redis_diagnosis_actor::stateful_base<DiagnosisState>;

redis_diagnosis_actor::behavior_type redis_diagnosis(Self* self, InstanceContext ctx) {
  self->set_exception_handler(crash_handler("redis_diagnosis" + ctx.tag()));
  self->state.thread = std::make_unique<PollThread>(
      [ctx](const std::atomic<bool>& stop) { preflight_loop(ctx, stop); });
  return {
      [](const Wiring&) {},
      [](crash_atom) -> caf::result<void> {
        throw std::runtime_error("crash requested by test hook");
      },
  };
}

}  // namespace

caf::actor spawn_redis_diagnosis(caf::local_actor* parent, const InstanceContext& ctx) {
  return caf::actor_cast<caf::actor>(parent->spawn<caf::detached>(redis_diagnosis, ctx));
}

}  // namespace redkeep::actors
