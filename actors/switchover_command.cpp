#include "actors/switchover_command.hpp"

#include <cmath>

#include "actors/control_server.hpp"
#include "actors/messages.hpp"
#include "actors/status_command.hpp"

namespace redkeep::actors {

int run_switchover(const std::string& socket_path, const std::string& instance, double timeout_s,
                   std::ostream& out, std::ostream& err) {
  const auto timeout_ms = static_cast<long long>(std::llround(timeout_s * 1000));
  const auto wait_ms = static_cast<int>(
      timeout_ms + std::chrono::milliseconds(kSwitchoverSlack + std::chrono::seconds(10)).count());
  auto doc = ask_daemon(
      socket_path,
      "switchover " + std::to_string(timeout_ms) + (instance.empty() ? "" : " " + instance),
      "redkeep switchover", err, wait_ms);
  if (doc.is_discarded()) return kStatusUnreachable;
  if (doc.contains("error")) {
    err << "redkeep switchover: " << doc["error"].get<std::string>() << "\n";
    return kStatusUnreachable;
  }
  const auto prefix = doc.contains("instance") ? "[" + doc.value("instance", "") + "] " : "";
  if (doc.value("ok", false)) {
    out << prefix << "Switchover done: " << doc.value("detail", "") << "\n";
    return 0;
  }
  err << prefix << "Switchover not done: " << doc.value("detail", "") << "\n";
  return 1;
}

}  // namespace redkeep::actors
