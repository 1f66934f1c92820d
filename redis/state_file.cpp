#include "redis/state_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>

namespace redkeep::redis {

namespace {

std::mutex file_mutex;  // instances share one file: one writer at a time

nlohmann::json read_json(const std::string& path, std::string* error) {
  std::ifstream in(path);
  if (!in) return nlohmann::json::object();
  auto j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    if (error)
      *error = "state file " + path + " is not valid JSON: the last run_id and the cluster's "
               "members are unknown, so the local Redis is treated as restarted";
    return nlohmann::json::object();
  }
  return j;
}

}  // namespace

std::optional<PersistedRedisState> load_redis_state(const std::string& path,
                                                    const std::string& instance,
                                                    std::string* error) {
  std::lock_guard<std::mutex> lock(file_mutex);
  auto j = read_json(path, error);
  if (!j.contains("instances") || !j["instances"].is_object() ||
      !j["instances"].contains(instance))
    return std::nullopt;
  const auto& e = j["instances"][instance];
  if (!e.is_object()) return std::nullopt;
  PersistedRedisState s;
  // A hand-edited entry of the wrong type reads as absent, field by field.
  const auto text = [&](const char* key) {
    auto it = e.find(key);
    return it != e.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  s.run_id = text("run_id");
  s.replid = text("replid");
  s.role = text("role");
  if (auto it = e.find("offset"); it != e.end() && it->is_number_integer())
    s.offset = it->get<std::int64_t>();
  if (auto m = e.find("members"); m != e.end() && m->is_array())
    for (const auto& member : *m)
      if (member.is_string()) s.members.push_back(member.get<std::string>());
  return s;
}

bool save_redis_state(const std::string& path, const std::string& instance,
                      const PersistedRedisState& state, std::string* error) {
  std::lock_guard<std::mutex> lock(file_mutex);
  auto j = read_json(path, nullptr);
  if (!j.contains("instances") || !j["instances"].is_object())
    j["instances"] = nlohmann::json::object();
  j["instances"][instance] = {{"run_id", state.run_id},
                              {"replid", state.replid},
                              {"offset", state.offset},
                              {"role", state.role},
                              {"members", state.members}};
  std::error_code ec;
  auto dir = std::filesystem::path(path).parent_path();
  if (!dir.empty()) std::filesystem::create_directories(dir, ec);
  // Written, fsynced, renamed, and the directory fsynced: after a power loss the file is the
  // old one or the new one, never empty (the cold start depends on it).
  const std::string tmp = path + ".tmp";
  const std::string text = j.dump(2) + "\n";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  bool ok = fd >= 0;
  for (std::size_t off = 0; ok && off < text.size();) {
    const auto n = ::write(fd, text.data() + off, text.size() - off);
    ok = n > 0;
    if (ok) off += static_cast<std::size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  const int saved_errno = errno;
  if (fd >= 0) ::close(fd);
  if (!ok) {
    if (error) *error = "cannot write state file " + tmp + ": " + std::strerror(saved_errno);
    return false;
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    if (error) *error = "cannot replace state file " + path + ": " + std::strerror(errno);
    return false;
  }
  const int dir_fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    (void)::fsync(dir_fd);
    ::close(dir_fd);
  }
  return true;
}

}  // namespace redkeep::redis
