#include "actors/status_command.hpp"

#include <nlohmann/json.hpp>

#include "actors/control_server.hpp"

namespace redkeep::actors {

namespace {

std::string text(const nlohmann::json& j) {
  if (j.is_null()) return "-";
  if (j.is_string()) return j.get<std::string>();
  return j.dump();
}

void print_human(const nlohmann::json& doc, std::ostream& out) {
  for (const auto& in : doc["instances"]) {
    if (in.contains("error")) {
      out << "instance error: " << text(in["error"]) << "\n";
      continue;
    }
    out << "[" << text(in["name"]) << "] " << text(in["state"]) << "  VRID "
        << text(in["virtual_router_id"]) << " on " << text(in["interface"]) << " ("
        << text(in["primary_address"]) << ")\n";
    out << "  priority " << text(in["priority"]) << " (effective "
        << text(in["effective_priority"]) << "), master " << text(in["master_address"])
        << ", VIP held: " << (in.value("vip_held", false) ? "yes" : "no") << "\n";
    out << "  Master_Adver_Interval " << text(in["master_adver_interval_s"])
        << " s, Skew_Time " << text(in["skew_time_s"]) << " s, Master_Down_Interval "
        << text(in["master_down_interval_s"]) << " s\n";
    const auto& c = in["counters"];
    out << "  adverts sent " << text(c["adverts_sent"]) << ", received "
        << text(c["adverts_received"]) << ", rejected " << text(c["rejected"])
        << ", transitions " << text(c["transitions"]) << ", gratuitous ARPs "
        << text(c["gratuitous_arps"]) << ", actor restarts " << text(c["actor_restarts"]) << "\n";
    const auto& r = in["redis"];
    if (!r.is_null() && r.value("role", "").empty()) {
      out << "  redis " << text(r["address"]) << ": " << text(r["health"]) << " ("
          << text(r["last_check"]) << ")\n";
    } else if (!r.is_null()) {
      out << "  redis " << text(r["address"]) << ": " << text(r["health"]) << " ("
          << text(r["last_check"]) << "), role " << text(r["role"]);
      if (r.value("role", "") == "slave")
        out << " of " << text(r["master_host"]) << ":" << text(r["master_port"]) << " link "
            << text(r["master_link_status"]);
      out << ", offset " << text(r["replication_offset"]) << ", run_id " << text(r["run_id"])
          << "\n";
    }
    if (!r.is_null() && r.contains("cold_start") && r["cold_start"].value("state", "off") != "off")
      out << "  " << text(r["cold_start"]["detail"]) << "\n";
    if (!r.is_null() && !r.value("role_error", "").empty())
      out << "  role change not done: " << text(r["role_error"]) << "\n";
    for (const auto& s : in.value("scripts", nlohmann::json::array()))
      out << "  script " << text(s["name"]) << ": " << text(s["state"]) << " (weight "
          << text(s["weight"]) << (s.value("reverse", false) ? " reverse" : "") << ", last run "
          << text(s["last_run"]) << ")\n";
  }
}

}  // namespace

int run_status(const std::string& socket_path, bool json, std::ostream& out, std::ostream& err) {
  std::string answer;
  try {
    answer = query_status(socket_path);
  } catch (const std::exception& e) {
    err << "redkeep status: " << e.what() << "\n";
    return kStatusUnreachable;
  }
  auto doc = nlohmann::json::parse(answer, nullptr, false);
  if (doc.is_discarded() || !doc.contains("instances")) {
    err << "redkeep status: unexpected answer from " << socket_path << ": " << answer;
    return kStatusUnreachable;
  }
  if (json) {
    out << doc.dump(2) << "\n";
  } else {
    print_human(doc, out);
  }
  bool all_master = !doc["instances"].empty();
  bool any_fault = false;
  for (const auto& in : doc["instances"]) {
    auto state = in.value("state", "");
    all_master = all_master && state == "MASTER";
    any_fault = any_fault || state == "FAULT" || state == "INIT" || in.contains("error");
  }
  if (any_fault) return kStatusFault;
  return all_master ? kStatusMaster : kStatusBackup;
}

}  // namespace redkeep::actors
