#include "redis/command_names.hpp"

#include <algorithm>
#include <cctype>

namespace redkeep::redis {

const std::vector<std::string>& commands_sent() {
  // ACL and COMMAND serve `check --online` and the start-up checks only.
  static const std::vector<std::string> names{"ACL",    "AUTH",   "CLIENT", "COMMAND",   "CONFIG",
                                              "EXISTS", "INFO",   "PING",   "REPLICAOF", "ROLE",
                                              "SCAN",   "SELECT", "SLAVEOF"};
  return names;
}

std::string upper(std::string_view name) {
  std::string out(name);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

bool is_command_sent(std::string_view name) {
  const auto& all = commands_sent();
  return std::binary_search(all.begin(), all.end(), upper(name));
}

const std::string& command_name(const CommandRenames& renames, const std::string& original) {
  auto it = renames.find(original);
  return it == renames.end() ? original : it->second;
}

}  // namespace redkeep::redis
