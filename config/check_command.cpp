#include "config/check_command.hpp"

#include "config/parser.hpp"
#include "config/preflight_target.hpp"
#include "config/print.hpp"

namespace redkeep::config {

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
      target = preflight_target(instance, result.config->global.state_file);
    } catch (const std::exception& e) {
      out << "vrrp_instance " << instance.name << ": error: " << e.what() << "\n";
      ++errors;
      continue;
    }
    const auto findings = redis::judge_preflight(redis::probe_preflight(target));
    out << "vrrp_instance " << instance.name << ": Redis " << net::host_port(target.host, target.port)
        << ", " << findings.size() << " finding(s)\n";
    for (const auto& f : findings) {
      out << "  " << f.to_string() << "\n";
      if (f.severity == redis::Severity::error) ++errors;
    }
  }
  return errors > 0 ? 1 : 0;
}

}  // namespace redkeep::config
