#include "config/check_command.hpp"

#include "config/parser.hpp"
#include "config/password.hpp"
#include "config/print.hpp"
#include "redis/preflight_probe.hpp"
#include "redis/state_file.hpp"

namespace redkeep::config {

namespace {

/// What the preflight of one instance's Redis asks: the redis block, its unicast peers at the
/// same Redis port and the members the state file remembers.
redis::PreflightTarget preflight_target(const Config& config, const VrrpInstance& instance) {
  const RedisSettings& rs = *instance.redis;
  redis::PreflightTarget t;
  t.host = rs.host;
  t.port = rs.port;
  t.access = read_redis_access(rs);
  t.timeout = rs.check_timeout;
  t.manage_masterauth = rs.manage_masterauth;
  for (const auto& peer : instance.unicast_peer) t.members.emplace_back(peer.to_string(), rs.port);
  if (auto saved = redis::load_redis_state(config.global.state_file, instance.name)) {
    for (const auto& m : saved->members) {
      const auto colon = m.rfind(':');
      if (colon == std::string::npos) continue;
      try {
        t.members.emplace_back(m.substr(0, colon), std::stoi(m.substr(colon + 1)));
      } catch (const std::exception&) {
      }
    }
  }
  return t;
}

}  // namespace

int run_check(const std::string& path, std::ostream& out, std::ostream& err) {
  const LoadResult result = load_file(path);
  for (const Diagnostic& d : result.diagnostics) err << d.to_string() << "\n";
  if (!result.ok()) return 1;
  out << format_effective(*result.config);
  return 0;
}

int run_check_online(const std::string& path, std::ostream& out, std::ostream& err) {
  const LoadResult result = load_file(path);
  for (const Diagnostic& d : result.diagnostics) err << d.to_string() << "\n";
  if (!result.ok()) return 1;
  int errors = 0;
  for (const VrrpInstance& instance : result.config->instances) {
    if (!instance.redis) {
      out << "vrrp_instance " << instance.name << ": no redis block, nothing to check\n";
      continue;
    }
    redis::PreflightTarget target;
    try {
      target = preflight_target(*result.config, instance);
    } catch (const std::exception& e) {
      out << "vrrp_instance " << instance.name << ": error: " << e.what() << "\n";
      ++errors;
      continue;
    }
    const auto findings = redis::judge_preflight(redis::probe_preflight(target));
    out << "vrrp_instance " << instance.name << ": Redis " << target.host << ":" << target.port
        << ", " << findings.size() << " finding(s)\n";
    for (const auto& f : findings) {
      out << "  " << f.to_string() << "\n";
      if (f.severity == redis::Severity::error) ++errors;
    }
  }
  return errors > 0 ? 1 : 0;
}

}  // namespace redkeep::config
