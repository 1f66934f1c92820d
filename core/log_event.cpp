#include "core/log_event.hpp"

namespace redkeep::core {

const char* to_string(LogKind kind) {
  switch (kind) {
    case LogKind::resumed:
      return "resumed";
    case LogKind::state_change:
      return "state_change";
    case LogKind::master_change:
      return "master_change";
    case LogKind::vip_failed:
      return "vip_failed";
    case LogKind::redis_role:
      return "redis_role";
    case LogKind::role_failed:
      return "role_failed";
    case LogKind::role_refused:
      return "role_refused";
    case LogKind::role_corrected:
      return "role_corrected";
    case LogKind::not_eligible:
      return "not_eligible";
    case LogKind::eligible:
      return "eligible";
    case LogKind::step_out:
      return "step_out";
    case LogKind::step_out_ended:
      return "step_out_ended";
    case LogKind::behind_peer:
      return "behind_peer";
    case LogKind::redis_restarted:
      return "redis_restarted";
    case LogKind::takeover_held:
      return "takeover_held";
    case LogKind::takeover_released:
      return "takeover_released";
    case LogKind::lower_master_garp:
      return "lower_master_garp";
    case LogKind::floor_tie:
      return "floor_tie";
    case LogKind::advert_rejected:
      return "advert_rejected";
    case LogKind::link:
      return "link";
    case LogKind::redis_check:
      return "redis_check";
    case LogKind::health:
      return "health";
    case LogKind::stopping:
      return "stopping";
    case LogKind::stop_demote:
      return "stop_demote";
    case LogKind::stopped:
      return "stopped";
    case LogKind::cold_start:
      return "cold_start";
    case LogKind::switchover:
      return "switchover";
  }
  return "unknown";
}

}  // namespace redkeep::core
