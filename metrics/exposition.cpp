#include "metrics/exposition.hpp"

#include <spdlog/fmt/fmt.h>

#include <map>
#include <utility>
#include <vector>

#include "core/eligibility.hpp"
#include "net/vrrp/reject_reason.hpp"

namespace redkeep::metrics {

namespace {

using nlohmann::json;
using Labels = std::vector<std::pair<std::string, std::string>>;

/// Label values escape backslash, double quote and line feed (the format's only escapes).
std::string escaped(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

/// Families in the order first declared, each with its samples together (the format requires
/// a family's samples to be contiguous; instances are visited one after the other).
class Writer {
 public:
  void family(const std::string& name, const char* type, const char* help) {
    if (index_.count(name)) return;
    index_[name] = families_.size();
    families_.push_back(
        {name, fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type)});
  }
  void sample(const std::string& name, const Labels& labels, double value) {
    std::string line = name;
    if (!labels.empty()) {
      line += '{';
      for (std::size_t i = 0; i < labels.size(); ++i)
        line += fmt::format("{}{}=\"{}\"", i ? "," : "", labels[i].first,
                            escaped(labels[i].second));
      line += '}';
    }
    families_[index_.at(name)].second += fmt::format("{} {}\n", line, value);
  }
  std::string text() const {
    std::string out;
    for (const auto& f : families_) out += f.second;
    return out;
  }

 private:
  std::map<std::string, std::size_t> index_;
  std::vector<std::pair<std::string, std::string>> families_;  // name, HELP/TYPE and samples
};

double number(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : 0.0;
}

void instance_metrics(Writer& w, const json& in) {
  const std::string name = in.value("name", "");
  const Labels id{{"vrrp_instance", name}};
  auto with = [&](const char* key, const std::string& value) {
    Labels l = id;
    l.emplace_back(key, value);
    return l;
  };

  w.family("redkeep_vrrp_state", "gauge",
           "1 for the VRRP state the instance is in (INIT, BACKUP, MASTER, FAULT), 0 for the "
           "others.");
  for (const char* s : {"INIT", "BACKUP", "MASTER", "FAULT"})
    w.sample("redkeep_vrrp_state", with("state", s), in.value("state", "") == s ? 1 : 0);
  w.family("redkeep_vrrp_priority", "gauge", "The configured priority (1-254).");
  w.sample("redkeep_vrrp_priority", id, number(in, "priority"));
  w.family("redkeep_vrrp_effective_priority", "gauge",
           "The priority advertised now: 1 while not eligible, tracked scripts' weights applied.");
  w.sample("redkeep_vrrp_effective_priority", id, number(in, "effective_priority"));
  w.family("redkeep_vip_held", "gauge", "1 while this node holds the instance's VIPs.");
  w.sample("redkeep_vip_held", id, in.value("vip_held", false) ? 1 : 0);

  const json counters = in.value("counters", json::object());
  const struct {
    const char* metric;
    const char* key;
    const char* help;
  } totals[] = {
      {"redkeep_vrrp_adverts_sent_total", "adverts_sent", "Advertisements sent."},
      {"redkeep_vrrp_adverts_unsent_total", "adverts_unsent",
       "Advertisements the kernel did not take (send failed)."},
      {"redkeep_vrrp_adverts_received_total", "adverts_received",
       "Valid advertisements received for this VRID."},
      {"redkeep_vrrp_transitions_total", "transitions", "VRRP state changes."},
      {"redkeep_gratuitous_arps_total", "gratuitous_arps", "Gratuitous ARPs sent for the VIPs."},
  };
  for (const auto& t : totals) {
    w.family(t.metric, "counter", t.help);
    w.sample(t.metric, id, number(counters, t.key));
  }
  w.family("redkeep_vrrp_adverts_rejected_total", "counter",
           "Packets dropped, by reason (RFC 3768/5798 section 7.1 checks; vrid: another VRID).");
  const json rejected = counters.value("rejected", json::object());
  for (std::size_t i = 0; i < net::vrrp::kRejectReasonCount; ++i) {
    const char* reason = net::vrrp::to_string(static_cast<net::vrrp::RejectReason>(i));
    w.sample("redkeep_vrrp_adverts_rejected_total", with("reason", reason),
             number(rejected, reason));
  }
  w.family("redkeep_actor_restarts_total", "counter",
           "Restarts of the instance's actors by the supervisor, by actor.");
  const json restarts = counters.value("actor_restarts_by_actor", json::object());
  for (const auto& [actor, n] : restarts.items())
    w.sample("redkeep_actor_restarts_total", with("actor", actor),
             n.is_number() ? n.get<double>() : 0);

  const auto redis = in.find("redis");
  if (redis == in.end() || !redis->is_object()) return;
  const json& r = *redis;
  w.family("redkeep_vrrp_eligible", "gauge",
           "1 while the data rules let the instance be Master (its Redis may lead).");
  w.sample("redkeep_vrrp_eligible", id, r.value("eligible", false) ? 1 : 0);
  w.family("redkeep_vrrp_not_eligible", "gauge",
           "1 for the data rule that keeps the instance from Master (reason), 0 for the others.");
  const std::string code = r.value("not_eligible_code", "");
  for (const auto& reason : core::Eligibility::reason_codes())
    w.sample("redkeep_vrrp_not_eligible", with("reason", reason), reason == code ? 1 : 0);
  w.family("redkeep_redis_healthy", "gauge",
           "1 while the local Redis passes its health check (after fall/rise).");
  w.sample("redkeep_redis_healthy", id, r.value("health", "") == "healthy" ? 1 : 0);
  w.family("redkeep_redis_role", "gauge",
           "1 for the local Redis's replication role (INFO role), 0 for the other.");
  const std::string role = r.value("role", "");
  w.sample("redkeep_redis_role", with("role", "master"), role == "master" ? 1 : 0);
  w.sample("redkeep_redis_role", with("role", "replica"), role == "slave" ? 1 : 0);
  w.family("redkeep_redis_connected_replicas", "gauge",
           "Replicas that acknowledged within the last 3 s (as master).");
  w.sample("redkeep_redis_connected_replicas", id, number(r, "connected_replicas"));
  if (role == "slave") {
    w.family("redkeep_redis_master_link_up", "gauge",
             "1 while the replica's link to its master is up (INFO master_link_status).");
    w.sample("redkeep_redis_master_link_up", id, r.value("master_link_status", "") == "up" ? 1 : 0);
  }
  if (r.contains("replication_offset") && number(r, "replication_offset") >= 0) {
    w.family("redkeep_redis_replication_offset_bytes", "gauge",
             "The local Redis's replication offset (INFO master_repl_offset).");
    w.sample("redkeep_redis_replication_offset_bytes", id, number(r, "replication_offset"));
  }
  if (r.contains("replication_lag_s") && r["replication_lag_s"].is_number()) {
    w.family("redkeep_redis_replication_lag_seconds", "gauge",
             "As replica: seconds since the master's last I/O; as master: the largest lag of "
             "its online replicas (INFO).");
    w.sample("redkeep_redis_replication_lag_seconds", id, number(r, "replication_lag_s"));
  }
}

}  // namespace

std::string incomplete(const json& status) {
  if (!status.is_object() || !status.contains("instances") || !status["instances"].is_array())
    return "the daemon's status is not readable";
  for (const auto& in : status["instances"])
    if (!in.is_object() || !in.contains("name") || in.contains("error"))
      return "an election did not answer: " + in.dump();
  return "";
}

std::string exposition(const json& status, const std::string& version) {
  Writer w;
  w.family("redkeep_build_info", "gauge", "Always 1; the version of redkeep as a label.");
  w.sample("redkeep_build_info", {{"version", version}}, 1);
  if (status.is_object() && status.contains("instances") && status["instances"].is_array())
    for (const auto& in : status["instances"])
      if (in.is_object() && in.contains("name")) instance_metrics(w, in);
  return w.text();
}

}  // namespace redkeep::metrics
