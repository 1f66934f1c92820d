#pragma once
// The supervision tree's root. CAF 0.17 has no built-in supervisor, so this
// one keeps child specs, monitors each child, restarts failed ones with
// backoff and gives up (exits with an error) when a child keeps failing.

#include <caf/all.hpp>

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "actors/messages.hpp"
#include "core/restart_budget.hpp"
#include "config/reload_plan.hpp"

namespace redkeep::actors {

/// When to restart and when to give up (core/restart_budget.hpp).
using core::RestartPolicy;
using core::restart_delay;

/// How to (re)start one child. `group` ties the children of one vrrp_instance
/// together: after any (re)start the supervisor sends the group's current
/// Wiring to all of them, so no child keeps a dead peer's handle.
struct ChildSpec {
  std::string name;  ///< for logs, e.g. "election[HARedis]"
  std::size_t group = 0;
  ChildKind kind = ChildKind::election;
  bool with_redis = false;  ///< its vrrp_instance has a redis block
  /// Spawns the child (the supervisor monitors it). `restart` is false on the
  /// first start of the daemon, true afterwards; `snapshot` is the group's
  /// last election snapshot, if any (the election resumes from it).
  std::function<caf::actor(caf::local_actor* supervisor, bool restart,
                           const ElectionSnapshot* snapshot)>
      start;
};

/// One instance's part of a reload, as the supervisor carries it out.
struct InstanceReload {
  std::string name;  ///< the vrrp_instance, for the log
  std::size_t group = 0;
  config::ReloadAction action = config::ReloadAction::unchanged;
  /// apply, restart, add: the instance's children with the new settings, in start order.
  std::vector<ChildSpec> specs;
};

/// reload_atom: the supervisor carries out every step and answers an empty string once all
/// are done ("redkeep is stopping" when it is). First the stops: restart and remove run the
/// election's stop protocol (as on SIGTERM) and stop the group; then the starts: restart and
/// add start the new children afresh, apply restarts the group's children with the new specs
/// and the election resumes from its current snapshot (no transition). Planned restarts do not
/// count against the restart budget.
struct Reload {
  std::vector<InstanceReload> steps;
};

/// Spawns the supervisor. It starts every child in order, answers
/// status_atom (JSON text of every instance) and, on stop_atom, asks each
/// election to stop gracefully, then stops all children and quits normally.
/// It quits with sec::runtime_error when a child exceeds its restart budget.
caf::actor spawn_supervisor(caf::actor_system& sys, std::vector<ChildSpec> specs,
                            RestartPolicy policy);

}  // namespace redkeep::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(redkeep::actors::Reload)
