#include "config/password.hpp"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace redkeep::config {

std::optional<std::string> read_redis_password(const RedisSettings& settings) {
  if (settings.password) return settings.password->reveal();
  if (!settings.password_file) return std::nullopt;
  const auto& path = *settings.password_file;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw std::runtime_error("Redis password_file " + path + " is not a regular file");
  std::ifstream in(path);
  // A password is short: read a bounded first line.
  std::string line(4096, '\0');
  // getline fails (failbit) on an empty file and on a first line that does not fit; a longer
  // password must not be cut short silently.
  if (!in || !in.getline(line.data(), static_cast<std::streamsize>(line.size())) ||
      in.gcount() == 0)
    throw std::runtime_error("cannot read Redis password_file " + path +
                             " (empty, unreadable, or a first line over 4095 bytes)");
  line.resize(std::strlen(line.c_str()));
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

redis::Access read_redis_access(const RedisSettings& settings) {
  return redis::Access{settings.user, read_redis_password(settings), settings.rename_command};
}

}  // namespace redkeep::config
