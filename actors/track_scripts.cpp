#include "actors/track_scripts.hpp"

#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <vector>

#include "actors/crash_reason.hpp"
#include "actors/messages.hpp"
#include "actors/poll_thread.hpp"
#include "exec/child_process.hpp"

namespace redkeep::actors {

namespace {

/// The vrrp_scripts running now, daemon-wide: a script tracked by two instances runs for each,
/// but never twice at once.
class RunningScripts {
 public:
  /// Waits until no run of `name` is going, then marks one; false when `stop` turned true.
  bool acquire(const std::string& name, const std::atomic<bool>& stop) {
    std::unique_lock<std::mutex> lock(mutex_);
    while (running_.count(name) > 0) {
      if (stop) return false;
      freed_.wait_for(lock, std::chrono::milliseconds(100));
    }
    running_.insert(name);
    return true;
  }
  void release(const std::string& name) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      running_.erase(name);
    }
    freed_.notify_all();
  }
  static RunningScripts& instance() {
    static RunningScripts running;
    return running;
  }

 private:
  std::mutex mutex_;
  std::condition_variable freed_;
  std::set<std::string> running_;
};

/// How often "still running: skipping" may be logged for one script.
constexpr auto kSkipLogInterval = std::chrono::seconds(60);

struct Tracked {
  std::unique_ptr<PollThread> run;  // the run in progress (null when idle)
  std::uint64_t skipped = 0;        // runs skipped since the daemon started
  std::optional<std::chrono::steady_clock::time_point> skip_logged;  // last said
};

struct TrackScriptsState {
  InstanceContext ctx;
  Wiring wiring;
  std::vector<Tracked> scripts;  // parallel to ctx.instance.track_script

  static inline const char* name = "track_scripts";
};

using Self = track_scripts_actor::stateful_base<TrackScriptsState>;

/// One run of script `index` on a helper thread; its outcome comes back as a ScriptRun.
void start_run(Self* self, std::size_t index) {
  const config::VrrpScript& script = self->state.ctx.instance.track_script[index].script;
  auto handle = caf::actor_cast<caf::actor>(self);
  self->state.scripts[index].run =
      std::make_unique<PollThread>("rk-script", [handle, index, script](const std::atomic<bool>& stop) {
        auto& running = RunningScripts::instance();
        if (!running.acquire(script.name, stop)) return;
        const auto result =
            exec::run_command_line(script.script, {}, script.user, script.group,
                                   script.effective_timeout(), stop, exec::Leftovers::kill);
        running.release(script.name);
        if (result.outcome == exec::RunResult::Outcome::stopped) return;
        caf::anon_send(handle, core::ScriptRun{index, result.success(), result.describe()});
      });
}

track_scripts_actor::behavior_type track_scripts(Self* self, InstanceContext ctx) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  st.scripts.resize(st.ctx.instance.track_script.size());
  self->set_exception_handler(crash_handler("track_scripts" + st.ctx.tag()));
  for (std::size_t i = 0; i < st.scripts.size(); ++i)
    self->send(self, tick_atom::value, static_cast<std::uint64_t>(i));
  return {
      [self](const Wiring& w) { self->state.wiring = w; },
      [self](tick_atom, std::uint64_t index) {
        auto& st = self->state;
        const auto& script = st.ctx.instance.track_script[index].script;
        self->delayed_send(self, script.interval, tick_atom::value, index);
        auto& tracked = st.scripts[index];
        if (tracked.run) {
          ++tracked.skipped;
          const auto now = std::chrono::steady_clock::now();
          if (!tracked.skip_logged || now - *tracked.skip_logged >= kSkipLogInterval) {
            tracked.skip_logged = now;
            st.ctx.log().info(core::LogKind::script_state,
                              "Track script {} is still running: skipping this run ({} skipped "
                              "so far; said at most once a minute)",
                              script.name, tracked.skipped);
          }
          return;
        }
        start_run(self, index);
      },
      [self](const core::ScriptRun& r) {
        auto& st = self->state;
        if (r.index >= st.scripts.size()) return;
        st.scripts[r.index].run.reset();  // its thread has ended: this was its last act
        if (st.wiring.election) self->send(st.wiring.election, r);
      },
      [self](crash_atom) -> caf::result<void> {
        throw std::runtime_error("crash requested by test hook");
      },
  };
}

}  // namespace

caf::actor spawn_track_scripts(caf::local_actor* parent, const InstanceContext& ctx) {
  return caf::actor_cast<caf::actor>(parent->spawn(track_scripts, ctx));
}

}  // namespace redkeep::actors
