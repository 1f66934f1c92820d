#pragma once
// The track_scripts actor: runs each tracked vrrp_script of one instance every `interval`, as
// keepalived does (the first run at once), and hands each run's outcome to the election, whose
// core counts rise/fall and weights (core/tracked_scripts.hpp). A run happens on a helper
// thread (exec/child_process.hpp), so no actor ever waits for a script; a script still running
// when its next run is due is not started twice (that run is skipped, as keepalived does), and
// a script tracked by several instances runs for each, one run after the other.

#include <caf/all.hpp>

#include "actors/instance_context.hpp"

namespace redkeep::actors {

/// Spawns the track_scripts actor of `ctx` (which tracks at least one script).
caf::actor spawn_track_scripts(caf::local_actor* parent, const InstanceContext& ctx);

}  // namespace redkeep::actors
