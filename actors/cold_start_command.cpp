#include "actors/cold_start_command.hpp"

#include <nlohmann/json.hpp>

#include "actors/control_server.hpp"
#include "actors/status_command.hpp"

namespace redkeep::actors {

namespace {

void print_state(const nlohmann::json& in, std::ostream& out) {
  out << "[" << in.value("name", "?") << "] ";
  const auto& r = in["redis"];
  if (r.is_null() || !r.contains("cold_start")) {
    out << "no redis block: no cold-start rule\n";
    return;
  }
  const auto& c = r["cold_start"];
  out << "cold start " << c.value("state", "?") << ", cold_start_quorum "
      << c.value("quorum", 0) << "\n";
  if (!c.value("detail", "").empty()) out << "  " << c.value("detail", "") << "\n";
  for (const auto& m : c["compared"])
    out << "  compared " << m.value("member", "") << ": " << m.value("data", "") << " ("
        << m.value("detail", "") << ")\n";
  for (const auto& m : c["missing"]) out << "  not reached " << m.get<std::string>() << "\n";
}

}  // namespace

int run_cold_start(const std::string& socket_path, bool force, const std::string& instance,
                   std::ostream& out, std::ostream& err) {
  if (!force) {
    auto doc = ask_daemon(socket_path, "status", "redkeep cold-start", err);
    if (doc.is_discarded() || !doc.contains("instances")) return kStatusUnreachable;
    bool found = false;
    for (const auto& in : doc["instances"]) {
      if (!instance.empty() && in.value("name", "") != instance) continue;
      print_state(in, out);
      found = true;
    }
    if (found) return 0;
    err << "redkeep cold-start: no instance named " << instance << "\n";
    return 1;
  }
  auto doc = ask_daemon(socket_path, "cold-start-force" + (instance.empty() ? "" : " " + instance),
                        "redkeep cold-start", err);
  if (doc.is_discarded() || !doc.is_object()) return kStatusUnreachable;
  if (doc.contains("error")) {
    err << "redkeep cold-start: " << doc["error"].dump() << "\n";
    return kStatusUnreachable;
  }
  const auto overridden = doc.value("overridden", std::vector<std::string>{});
  const auto not_waiting = doc.value("not_waiting", std::vector<std::string>{});
  if (overridden.empty() && not_waiting.empty()) {
    err << "redkeep cold-start: no instance named " << instance << "\n";
    return 1;
  }
  for (const auto& n : overridden)
    out << "[" << n << "] cold start overridden: it goes on without the members not compared\n";
  for (const auto& n : not_waiting) out << "[" << n << "] no cold start holds it: nothing to do\n";
  return 0;
}

}  // namespace redkeep::actors
