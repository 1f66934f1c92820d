#include "actors/notify.hpp"

#include <deque>
#include <memory>
#include <tuple>
#include <vector>

#include "actors/crash_reason.hpp"
#include "actors/messages.hpp"
#include "actors/poll_thread.hpp"
#include "exec/child_process.hpp"

namespace redkeep::actors {

namespace {

struct NotifyState {
  InstanceContext ctx;
  Wiring wiring;
  std::deque<core::Notify> queue;
  std::unique_ptr<PollThread> running;  // the current transition's scripts
  std::uint64_t generation = 0;         // of `running`: a killed run's late end is ignored
  std::vector<caf::typed_response_promise<bool>> drained;  // stop_atom waiting for the queue

  static inline const char* name = "notify";
};

using Self = notify_actor::stateful_base<NotifyState>;

/// The scripts of one transition: the state's own (notify_master, ...), then `notify`.
std::vector<std::pair<std::string, config::NotifyScript>> scripts_for(
    const config::NotifyScripts& n, const std::string& state) {
  const std::tuple<const char*, const char*, const std::optional<config::NotifyScript>*> own[] = {
      {"MASTER", "notify_master", &n.master},
      {"BACKUP", "notify_backup", &n.backup},
      {"FAULT", "notify_fault", &n.fault},
      {"STOP", "notify_stop", &n.stop}};
  std::vector<std::pair<std::string, config::NotifyScript>> out;
  for (const auto& [name, keyword, script] : own)
    if (state == name && *script) out.emplace_back(keyword, **script);
  if (n.any) out.emplace_back("notify", *n.any);
  return out;
}

void answer_drained(Self* self) {
  for (auto& p : self->state.drained) p.deliver(true);
  self->state.drained.clear();
}

/// Starts the next transition's scripts when none runs.
void next(Self* self) {
  auto& st = self->state;
  if (st.running) return;
  if (st.queue.empty()) return answer_drained(self);
  const core::Notify n = st.queue.front();
  st.queue.pop_front();
  auto scripts = scripts_for(st.ctx.instance.notify, n.state);
  if (scripts.empty()) return next(self);
  auto handle = caf::actor_cast<caf::actor>(self);
  const std::string instance = st.ctx.instance.name;
  const Log log = st.ctx.log();
  const auto generation = ++st.generation;
  const std::chrono::milliseconds timeout = n.state == "STOP" ? kNotifyStopTimeout : kNotifyTimeout;
  st.running = std::make_unique<PollThread>("rk-notify", [handle, scripts, n, instance, log,
                                                          generation, timeout](
                                                             const std::atomic<bool>& stop) {
    for (const auto& [keyword, script] : scripts) {
      if (stop) return;
      std::vector<std::string> extra;
      if (keyword == "notify") extra = {"INSTANCE", instance, n.state, std::to_string(n.priority)};
      const auto result =
          exec::run_command_line(script.command, extra, script.user, script.group, timeout, stop);
      if (result.outcome == exec::RunResult::Outcome::stopped) return;
      if (result.success()) {
        log.info(core::LogKind::notify, "{} for {} ran ({} ms)", keyword, n.state,
                 result.took.count());
      } else {
        log.warn(core::LogKind::notify, "{} for {} {}", keyword, n.state, result.describe());
      }
    }
    caf::anon_send(handle, tick_atom::value, generation);
  });
}

/// The instance stops: the transitions still queued are moot, the one running is cut short, and
/// notify_stop runs next, within its own shorter timeout.
void stopping(Self* self) {
  auto& st = self->state;
  if (!st.queue.empty())
    st.ctx.log().warn(core::LogKind::notify,
                      "Stopping: the notify scripts of {} queued transition(s) are dropped",
                      st.queue.size());
  st.queue.clear();
  if (st.running) {
    st.ctx.log().warn(core::LogKind::notify,
                      "Stopping: the notify scripts still running are killed");
    st.running.reset();
  }
}

notify_actor::behavior_type notify(Self* self, InstanceContext ctx) {
  self->state.ctx = std::move(ctx);
  self->set_exception_handler(crash_handler("notify" + self->state.ctx.tag()));
  return {
      [self](const Wiring& w) { self->state.wiring = w; },
      [self](const core::Notify& n) {
        if (n.state == "STOP") stopping(self);
        self->state.queue.push_back(n);
        next(self);
      },
      [self](tick_atom, std::uint64_t generation) {
        auto& st = self->state;
        if (generation != st.generation) return;  // a run killed since
        st.running.reset();                       // its thread has ended: this was its last act
        next(self);
      },
      [self](stop_atom) -> caf::result<bool> {
        auto& st = self->state;
        if (!st.running && st.queue.empty()) return true;
        st.drained.push_back(self->make_response_promise<bool>());
        auto promise = st.drained.back();
        self->delayed_send(self, kNotifyDrainLimit, deadline_atom::value);
        return promise;
      },
      [self](deadline_atom) {
        auto& st = self->state;
        if (st.drained.empty()) return;
        if (!st.queue.empty() || st.running)
          st.ctx.log().warn(core::LogKind::notify,
                            "Stopping: notify scripts still running or queued after {} s are "
                            "dropped ({} transitions)",
                            kNotifyDrainLimit.count(), st.queue.size() + (st.running ? 1 : 0));
        st.queue.clear();
        st.running.reset();
        answer_drained(self);
      },
      [self](crash_atom) -> caf::result<void> {
        throw std::runtime_error("crash requested by test hook");
      },
  };
}

}  // namespace

caf::actor spawn_notify(caf::local_actor* parent, const InstanceContext& ctx) {
  return caf::actor_cast<caf::actor>(parent->spawn(notify, ctx));
}

}  // namespace redkeep::actors
