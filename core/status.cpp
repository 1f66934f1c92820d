// `redkeep status`: the instance's state as JSON, built here and nowhere else.
#include <nlohmann/json.hpp>

#include "core/instance.hpp"
#include "core/redis_report.hpp"

namespace redkeep::core {

namespace {

namespace vrrp = net::vrrp;
using nlohmann::json;

json counters_json(const Counters& c, const std::string& instance,
                   const std::map<std::string, std::uint64_t>& restarts) {
  json rejected = json::object();
  for (std::size_t i = 0; i < c.rejected.size(); ++i)
    if (c.rejected[i] > 0)
      rejected[vrrp::to_string(static_cast<vrrp::RejectReason>(i))] = c.rejected[i];
  // Restart counts are kept by the supervisor as "actor[instance]".
  const std::string suffix = "[" + instance + "]";
  std::uint64_t restart_total = 0;
  json restart_detail = json::object();
  for (const auto& [name, n] : restarts) {
    if (name.size() > suffix.size() &&
        name.compare(name.size() - suffix.size(), std::string::npos, suffix) == 0) {
      restart_total += n;
      restart_detail[name.substr(0, name.size() - suffix.size())] = n;
    }
  }
  return {
      {"adverts_sent", c.adverts_sent},         {"adverts_unsent", c.adverts_unsent},
      {"adverts_received", c.adverts_received}, {"transitions", c.transitions},
      {"gratuitous_arps", c.gratuitous_arps},   {"rejected", rejected},
      {"actor_restarts", restart_total},        {"actor_restarts_by_actor", restart_detail},
  };
}

/// The tracked scripts: name, state (good, failed, unknown), weight, the last run's outcome.
json scripts_json(const TrackedScripts& scripts) {
  json out = json::array();
  for (std::size_t i = 0; i < scripts.size(); ++i) {
    const auto good = scripts.good(i);
    out.push_back({{"name", scripts.script(i).script.name},
                   {"state", !good ? "unknown" : *good ? "good" : "failed"},
                   {"weight", scripts.script(i).weight},
                   {"reverse", scripts.script(i).weight_reverse},
                   {"last_run", scripts.last_detail(i)}});
  }
  return out;
}

}  // namespace

std::string Instance::status_json(const std::map<std::string, std::uint64_t>& restarts,
                                  TimePoint now) const {
  const auto& in = config_;
  json vips = json::array();
  for (const auto& v : in.virtual_ipaddress) vips.push_back(v.to_string());
  auto seconds = [](vrrp::Microseconds d) { return static_cast<double>(d.count()) / 1e6; };
  json j = {
      {"name", in.name},
      {"state", vrrp::to_string(sm_.state())},
      {"interface", in.interface},
      {"virtual_router_id", in.virtual_router_id},
      {"version", static_cast<int>(in.version)},
      {"primary_address", primary_.to_string()},
      {"priority", in.priority},
      {"effective_priority", sm_.effective_priority()},
      {"master_address", sm_.master_address() ? json(sm_.master_address()->to_string()) : json()},
      {"master_is_self", sm_.master_is_self()},
      {"virtual_ipaddress", vips},
      {"vip_held", vip_held()},
      {"master_adver_interval_s", seconds(sm_.master_adver_interval())},
      {"skew_time_s", seconds(sm_.skew_time())},
      {"master_down_interval_s", seconds(sm_.master_down_interval())},
      {"counters", counters_json(counters_, in.name, restarts)},
      {"scripts", scripts_json(scripts_)},
  };
  if (!has_redis()) {
    j["redis"] = nullptr;
    return j.dump();
  }
  const auto& r = redis_;
  const auto reached = eligibility_.last_member_reached();
  j["redis"] = {
      {"address", net::host_port(in.redis->host, in.redis->port)},
      {"health", !redis_reported_ ? "unknown"
                 : r.healthy      ? "healthy"
                                  : "failed"},
      {"eligible", eligibility_.eligible()},
      {"members", members_},
      {"takeover_held", takeover_hold_.held()},
      {"member_reached_s_ago",
       reached ? json(std::chrono::duration<double>(now - *reached).count()) : json()},
      {"not_eligible_because", eligibility_.reason()},
      {"not_eligible_code", eligibility_.reason_code()},
      {"last_check", r.last_result},
      {"role", info_role_word(r.role)},
      {"master_host", r.master_host},
      {"master_port", r.master_port},
      {"master_link_status", !r.master_link_status                            ? ""
                             : *r.master_link_status == redis::LinkStatus::up ? "up"
                                                                              : "down"},
      {"replication_offset", r.repl_offset},
      {"replication_lag_s", r.replication_lag_s ? json(*r.replication_lag_s) : json()},
      {"run_id", r.run_id},
      {"replid", r.replid},
      {"connected_replicas", r.connected_replicas},
      {"commanded_role", role_text(role_commanded_)},
      {"role_confirmed", role_confirmed_},
      {"role_error", role_error_},
      {"replica_priority",
       r.replica_priority ? json(*r.replica_priority) : json()},
      {"diagnosis", diagnosis_},
  };
  json compared = json::array();
  for (const auto& m : r.cold_start_compared)
    compared.push_back({{"member", m.member},
                        {"data", redis::to_string(m.order)},
                        {"detail", m.detail}});
  j["redis"]["cold_start"] = {
      {"state", to_string(cold_start_.state)},
      {"quorum", cold_start_.quorum},
      {"loaded_data", r.loaded_data},
      {"compared", compared},
      {"missing", cold_start_.missing},
      {"detail", describe(cold_start_)},
  };
  j["switchover"] = {
      {"running", switchover_.has_value()},
      {"from", switchover_ ? json(switchover_->old_master.to_string()) : json()},
      {"priority_boost", switchover_boost_},
  };
  return j.dump();
}

}  // namespace redkeep::core
