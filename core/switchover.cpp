#include "core/switchover.hpp"

#include <fmt/format.h>

namespace redkeep::core {

std::optional<std::string> switchover_refusal(const SwitchoverFacts& f) {
  namespace vrrp = net::vrrp;
  if (!f.has_redis) return "this vrrp_instance has no redis block: there is no Redis to hand over";
  if (f.stopping) return "redkeep is stopping";
  if (f.in_progress) return "a switchover of this instance is already running (one at a time)";
  if (f.state == vrrp::State::master) return "this node is already Master";
  if (f.state != vrrp::State::backup)
    return fmt::format("this node is in {} state, not BACKUP", vrrp::to_string(f.state));
  if (!f.not_eligible.empty()) return "this node is not eligible to be master: " + f.not_eligible;
  if (!f.master) return "no Master is heard: nothing to switch over from";
  if (f.master_priority > vrrp::kMaxPriority)
    return fmt::format("the Master {} advertises priority {} (address owner): it never yields",
                       f.master->to_string(), f.master_priority);
  if (f.master_priority == vrrp::kMaxPriority && *f.master > f.own_address)
    return fmt::format(
        "the Master {} advertises priority {} and wins the address tie-break "
        "against this node's {}: a switchover's target returns to its "
        "priority within Master_Down_Interval, try again then",
        f.master->to_string(), f.master_priority, vrrp::kMaxPriority);
  if (!f.nopreempt)
    return "this instance has no nopreempt: a node of higher priority would take Master back "
           "once this node returns to its configured priority (switchover needs nopreempt, as "
           "in the recipe, on every node)";
  if (!f.synced_with_master)
    return fmt::format(
        "its Redis is not a synced replica of the Master {} (replica of it, link "
        "up, no sync running)",
        f.master->to_string());
  return std::nullopt;
}

std::chrono::milliseconds switchover_pause(std::chrono::milliseconds timeout,
                                           std::chrono::microseconds master_down_interval) {
  return timeout + std::chrono::duration_cast<std::chrono::milliseconds>(master_down_interval) +
         std::chrono::seconds(1);
}

bool switchover_boost_holds(bool is_master, net::vrrp::TimePoint master_since,
                            net::vrrp::TimePoint now,
                            std::chrono::microseconds master_down_interval) {
  return is_master && now - master_since < master_down_interval;
}

}  // namespace redkeep::core
