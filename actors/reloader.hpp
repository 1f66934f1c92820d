#pragma once
// Reload (SIGHUP, `redkeep reload`), the daemon's side: reads the configuration
// file again, and either keeps the running configuration (the file has errors, or an instance
// cannot be resolved) or has the supervisor apply the difference (config/reload_plan.hpp).

#include <caf/all.hpp>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "actors/instance_context.hpp"
#include "config/model.hpp"

namespace redkeep::actors {

/// Thread-safe: SIGHUP (its reload thread) and `redkeep reload` (the control socket) may ask at
/// once; one reload runs at a time.
class Reloader {
 public:
  Reloader(caf::actor_system& sys, caf::actor supervisor, std::string config_path,
           config::Config running, std::vector<InstanceContext> contexts);

  /// Reads the file and applies it. Returns the JSON answer of `redkeep reload`:
  /// {"ok": true, "changes": [{"instance", "action", "keywords"}], "control_socket"} when
  /// applied (an empty list: nothing changed), {"ok": false, "errors": [...]} when the running
  /// configuration is kept; every error is also logged, as `check` prints it
  /// (FILE:LINE:COLUMN: error: ...). The service manager hears RELOADING before, READY after.
  std::string reload();

  /// The instances running now (for the last VIP check at exit).
  std::vector<InstanceContext> contexts() const;
  /// The control socket of the running configuration.
  std::string control_socket() const;
  /// metrics_listen of the running configuration (nullopt: off).
  std::optional<config::ListenAddress> metrics_listen() const;
  /// Reloads done so far (applied or not): the daemon retries what a reload may fix, such as
  /// /metrics on a port that was busy.
  std::uint64_t reloads() const { return reloads_; }

 private:
  /// reload()'s work, without the service manager's notifications.
  std::string apply_file();
  /// An instance whose switchover runs, or "" (a reload would restart its election).
  std::string switchover_running();

  caf::actor_system& sys_;
  caf::actor supervisor_;
  std::string path_;
  std::mutex reload_mutex_;         // one reload at a time
  std::atomic<std::uint64_t> reloads_{0};
  mutable std::mutex state_mutex_;  // what runs now; never held across a request
  config::Config running_;
  std::vector<InstanceContext> contexts_;
  std::size_t next_group_;
};

}  // namespace redkeep::actors
