#include "config/reload_plan.hpp"

#include <algorithm>

namespace redkeep::config {

const char* to_string(ReloadAction action) {
  switch (action) {
    case ReloadAction::unchanged:
      return "unchanged";
    case ReloadAction::apply:
      return "apply";
    case ReloadAction::restart:
      return "restart";
    case ReloadAction::add:
      return "add";
    case ReloadAction::remove:
      return "remove";
  }
  return "unknown";
}

bool ReloadPlan::changes() const {
  return control_socket_changed || metrics_listen_changed ||
         std::any_of(instances.begin(), instances.end(),
                     [](const InstanceChange& c) { return c.action != ReloadAction::unchanged; });
}

namespace {

/// Appends `keyword` to `out` when the two values differ.
template <class T>
void compare(std::vector<std::string>& out, const char* keyword, const T& a, const T& b) {
  if (!(a == b)) out.emplace_back(keyword);
}

std::vector<std::string> redis_changes(const std::optional<RedisSettings>& a,
                                       const std::optional<RedisSettings>& b) {
  std::vector<std::string> out;
  if (a.has_value() != b.has_value()) return {"redis"};
  if (!a) return out;
  compare(out, "redis.host", a->host, b->host);
  compare(out, "redis.port", a->port, b->port);
  compare(out, "redis.password", a->password, b->password);
  compare(out, "redis.password_file", a->password_file, b->password_file);
  compare(out, "redis.user", a->user, b->user);
  compare(out, "redis.check_interval", a->check_interval, b->check_interval);
  compare(out, "redis.check_timeout", a->check_timeout, b->check_timeout);
  compare(out, "redis.fall", a->fall, b->fall);
  compare(out, "redis.rise", a->rise, b->rise);
  compare(out, "redis.min_replicas_to_write", a->min_replicas_to_write, b->min_replicas_to_write);
  compare(out, "redis.min_replicas_max_lag", a->min_replicas_max_lag, b->min_replicas_max_lag);
  compare(out, "redis.cold_start_quorum", a->cold_start_quorum, b->cold_start_quorum);
  compare(out, "redis.rename_command", a->rename_command, b->rename_command);
  compare(out, "redis.peer_address", a->peer_address, b->peer_address);
  compare(out, "redis.manage_masterauth", a->manage_masterauth, b->manage_masterauth);
  return out;
}

InstanceChange compare_instance(const VrrpInstance& a, const VrrpInstance& b,
                                bool state_file_changed) {
  InstanceChange c{a.name, ReloadAction::unchanged, {}};
  auto& k = c.keywords;
  compare(k, "interface", a.interface, b.interface);
  compare(k, "unicast_src_ip", a.unicast_src_ip, b.unicast_src_ip);
  compare(k, "unicast_peer", a.unicast_peer, b.unicast_peer);
  if (state_file_changed && b.redis) k.emplace_back("global_defs.state_file");
  const bool restart = !k.empty();
  compare(k, "state", a.state, b.state);
  compare(k, "priority", a.priority, b.priority);
  compare(k, "nopreempt", a.nopreempt, b.nopreempt);
  compare(k, "preempt_delay", a.preempt_delay, b.preempt_delay);
  compare(k, "advert_int", a.advert_int_cs, b.advert_int_cs);
  compare(k, "version", a.version, b.version);
  compare(k, "virtual_router_id", a.virtual_router_id, b.virtual_router_id);
  compare(k, "auth_type", a.auth_type, b.auth_type);
  compare(k, "auth_pass", a.auth_pass, b.auth_pass);
  compare(k, "virtual_ipaddress", a.virtual_ipaddress, b.virtual_ipaddress);
  compare(k, "v3_checksum_as_v2", a.v3_checksum_as_v2, b.v3_checksum_as_v2);
  compare(k, "garp_master_delay", a.garp_master_delay, b.garp_master_delay);
  compare(k, "garp_master_repeat", a.garp_master_repeat, b.garp_master_repeat);
  compare(k, "garp_master_refresh", a.garp_master_refresh, b.garp_master_refresh);
  compare(k, "garp_master_refresh_repeat", a.garp_master_refresh_repeat,
          b.garp_master_refresh_repeat);
  for (auto& r : redis_changes(a.redis, b.redis)) k.push_back(std::move(r));
  compare(k, "track_script", a.track_script, b.track_script);
  compare(k, "notify", a.notify, b.notify);
  c.action = restart     ? ReloadAction::restart
             : k.empty() ? ReloadAction::unchanged
                         : ReloadAction::apply;
  return c;
}

}  // namespace

ReloadPlan plan_reload(const Config& running, const Config& next) {
  ReloadPlan plan;
  plan.control_socket_changed = running.global.control_socket != next.global.control_socket;
  plan.metrics_listen_changed = !(running.global.metrics_listen == next.global.metrics_listen);
  const bool state_file_changed = running.global.state_file != next.global.state_file;
  auto find = [](const Config& c, const std::string& name) -> const VrrpInstance* {
    for (const auto& in : c.instances)
      if (in.name == name) return &in;
    return nullptr;
  };
  for (const auto& in : running.instances) {
    const auto* now = find(next, in.name);
    plan.instances.push_back(now != nullptr ? compare_instance(in, *now, state_file_changed)
                                            : InstanceChange{in.name, ReloadAction::remove, {}});
  }
  for (const auto& in : next.instances)
    if (find(running, in.name) == nullptr)
      plan.instances.push_back(InstanceChange{in.name, ReloadAction::add, {}});
  return plan;
}

}  // namespace redkeep::config
