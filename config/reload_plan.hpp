#pragma once
// Reload (SIGHUP, `redkeep reload`): what a new configuration file changes against
// the running one, instance by instance, and what that asks of the daemon. Pure: compares two
// validated configurations.

#include <string>
#include <vector>

#include "config/model.hpp"

namespace redkeep::config {

/// What a reload does to one vrrp_instance (matched by name).
enum class ReloadAction {
  unchanged,  ///< nothing of it changed
  /// Its children restart with the new settings and the election resumes where it was: no
  /// transition, no VIP flap where the role does not change (priority, nopreempt,
  /// preempt_delay, garp settings, the redis block, and the settings every node must share:
  /// VIP list, advert_int, authentication, VRID, version).
  apply,
  /// Stopped as on SIGTERM (a Master releases the VIP and sends priority 0) and started anew:
  /// interface, unicast_src_ip, unicast_peer, or global_defs state_file changed.
  restart,
  add,     ///< a new vrrp_instance: started
  remove,  ///< no longer in the file: stopped as on SIGTERM
};

/// "unchanged", "apply", "restart", "add", "remove".
const char* to_string(ReloadAction action);

/// One instance's part of a reload.
struct InstanceChange {
  std::string name;
  ReloadAction action = ReloadAction::unchanged;
  /// The keywords whose value changed, in keepalived's spelling ("priority",
  /// "virtual_ipaddress", "redis.check_interval", "global_defs.state_file"); the passwords'
  /// values never appear, only their keyword.
  std::vector<std::string> keywords;
};

/// A reload's plan: every instance of either file, the running ones first in their order.
struct ReloadPlan {
  std::vector<InstanceChange> instances;
  bool control_socket_changed = false;  ///< global_defs control_socket: the socket moves
  bool metrics_listen_changed = false;  ///< global_defs metrics_listen: /metrics moves (or stops)
  /// Whether anything at all changes.
  bool changes() const;
};

/// Compares the running configuration with the new one.
ReloadPlan plan_reload(const Config& running, const Config& next);

}  // namespace redkeep::config
