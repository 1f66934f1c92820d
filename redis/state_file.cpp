#include "redis/state_file.hpp"

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
    if (error) *error = "state file " + path + " is not valid JSON; ignoring it";
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
  s.run_id = e.value("run_id", "");
  s.replid = e.value("replid", "");
  s.offset = e.value("offset", std::int64_t{-1});
  s.role = e.value("role", "");
  if (auto m = e.find("members"); m != e.end() && m->is_array())
    for (const auto& member : *m)
      if (member.is_string()) s.members.push_back(member.get<std::string>());
  return s;
}

bool save_redis_state(const std::string& path, const std::string& instance,
                      const PersistedRedisState& state, std::string* error) {
  std::lock_guard<std::mutex> lock(file_mutex);
  auto j = read_json(path, nullptr);
  j["instances"][instance] = {{"run_id", state.run_id},
                              {"replid", state.replid},
                              {"offset", state.offset},
                              {"role", state.role},
                              {"members", state.members}};
  std::error_code ec;
  auto dir = std::filesystem::path(path).parent_path();
  if (!dir.empty()) std::filesystem::create_directories(dir, ec);
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << j.dump(2) << "\n";
    if (!out) {
      if (error) *error = "cannot write state file " + tmp + ": " + std::strerror(errno);
      return false;
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    if (error) *error = "cannot replace state file " + path + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

}  // namespace redkeep::redis
