#pragma once
// For an actor whose handlers block (hiredis calls): its state lives in a Core that only its
// LazyLane touches, and each handler runs there; the actor itself stays on the scheduler.

#include <caf/all.hpp>

#include <memory>
#include <string>

#include "actors/instance_context.hpp"
#include "actors/messages.hpp"
#include "actors/poll_thread.hpp"

namespace redkeep::actors {

/// The actor's state: `Core` (used on the lane only; it has the instance's `ctx` and the
/// actor's own handle `me`) and the lane.
template <class Core>
struct OnLane {
  std::shared_ptr<Core> core = std::make_shared<Core>();
  std::unique_ptr<LazyLane> lane;

  /// Hands the core `ctx` and `me`, and starts the lane (`name`: its thread's name, a string
  /// literal). A task that throws sends `me` failed_atom with its text, so the actor crashes
  /// as it would have on its own thread.
  template <class Handle>
  void start(const char* name, Handle me, InstanceContext ctx) {
    core->ctx = std::move(ctx);
    core->me = me;
    lane = std::make_unique<LazyLane>(name, [me](const std::string& error) {
      caf::anon_send(me, failed_atom::value, error);
    });
  }

  /// Runs `f(core)` on the lane, after what was posted before.
  template <class F>
  void run(F f) {
    lane->post([core = core, f = std::move(f)] { f(*core); });
  }
};

}  // namespace redkeep::actors
