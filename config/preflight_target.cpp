#include "config/preflight_target.hpp"

#include "config/password.hpp"
#include "core/params.hpp"
#include "redis/state_file.hpp"

namespace redkeep::config {

redis::PreflightTarget preflight_target(const VrrpInstance& instance,
                                        const std::string& state_file) {
  const RedisSettings& rs = *instance.redis;
  redis::PreflightTarget t;
  t.host = rs.host;
  t.port = rs.port;
  t.access = read_redis_access(rs);
  t.timeout = rs.check_timeout;
  t.manage_masterauth = rs.manage_masterauth && t.access.password.has_value();
  for (const auto& member : core::configured_redis_members(instance))
    t.members.emplace_back(member.to_string(), rs.port);
  if (auto saved = redis::load_redis_state(state_file, instance.name)) {
    for (const auto& m : saved->members) {  // "ADDRESS:PORT"
      const auto colon = m.rfind(':');
      if (colon == std::string::npos) continue;
      try {
        t.members.emplace_back(m.substr(0, colon), std::stoi(m.substr(colon + 1)));
      } catch (const std::exception&) {
        // not a member entry redkeep wrote: skipped
      }
    }
  }
  return t;
}

}  // namespace redkeep::config
