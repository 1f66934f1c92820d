#include "actors/reload_command.hpp"

#include "actors/control_server.hpp"
#include "actors/status_command.hpp"

namespace redkeep::actors {

int run_reload(const std::string& socket_path, std::ostream& out, std::ostream& err) {
  // A restart of an instance waits for its stop protocol (8 s at most) and the new start.
  auto doc = ask_daemon(socket_path, "reload", "redkeep reload", err, 150'000);
  if (doc.is_discarded()) return kStatusUnreachable;
  if (doc.contains("error")) {
    err << "redkeep reload: " << doc["error"].get<std::string>() << "\n";
    return kStatusUnreachable;
  }
  if (!doc.value("ok", false)) {
    err << "redkeep reload: not applied, the running configuration is kept:\n";
    for (const auto& e : doc.value("errors", nlohmann::json::array()))
      err << "  " << e.get<std::string>() << "\n";
    return 1;
  }
  const auto changes = doc.value("changes", nlohmann::json::array());
  if (changes.empty() && !doc.contains("control_socket") && !doc.contains("metrics_listen"))
    out << "Reloaded: no change\n";
  for (const auto& c : changes) {
    out << "[" << c.value("instance", "") << "] " << c.value("action", "");
    std::string keywords;
    for (const auto& k : c.value("keywords", nlohmann::json::array()))
      keywords += (keywords.empty() ? "" : ", ") + k.get<std::string>();
    if (!keywords.empty()) out << ": " << keywords;
    out << "\n";
  }
  if (doc.contains("control_socket"))
    out << "control_socket moved to " << doc["control_socket"].get<std::string>() << "\n";
  if (doc.contains("metrics_listen"))
    out << "metrics_listen is now " << doc["metrics_listen"].get<std::string>()
        << " (the daemon's log says whether /metrics is served there)\n";
  return 0;
}

}  // namespace redkeep::actors
