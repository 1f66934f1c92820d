#include "redis/client_list.hpp"

#include <algorithm>

#include "redis/reply.hpp"

namespace redkeep::redis {

std::vector<ClientEntry> parse_client_list(std::string_view text) {
  std::vector<ClientEntry> out;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    ClientEntry entry;
    bool have_id = false;
    while (!line.empty()) {
      const auto sp = line.find(' ');
      std::string_view field = line.substr(0, sp);
      line = sp == std::string_view::npos ? std::string_view() : line.substr(sp + 1);
      const auto eq = field.find('=');
      if (eq == std::string_view::npos) continue;
      const auto key = field.substr(0, eq);
      const auto value = field.substr(eq + 1);
      if (key == "id") {
        auto v = parse_int64(value);
        if (v && *v > 0) {
          entry.id = static_cast<std::uint64_t>(*v);
          have_id = true;
        }
      } else if (key == "addr") {
        entry.addr = std::string(value);
      } else if (key == "name") {
        entry.name = std::string(value);
      } else if (key == "flags") {
        entry.flags = std::string(value);
      }
    }
    if (have_id) out.push_back(std::move(entry));
  }
  return out;
}

bool should_kill_on_demotion(const ClientEntry& client) {
  if (client.name.substr(0, kRedkeepClientPrefix.size()) == kRedkeepClientPrefix) return false;
  if (client.flags.find_first_of("SM") != std::string::npos) return false;
  return true;
}

std::vector<std::uint64_t> client_ids_to_kill(const std::vector<ClientEntry>& clients) {
  std::vector<std::uint64_t> ids;
  for (const auto& c : clients) {
    if (should_kill_on_demotion(c)) ids.push_back(c.id);
  }
  return ids;
}

bool watched_by_redkeep(const std::vector<ClientEntry>& clients) {
  return std::any_of(clients.begin(), clients.end(),
                     [](const ClientEntry& c) { return c.name == kHealthClientName; });
}

}  // namespace redkeep::redis
