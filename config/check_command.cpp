#include "config/check_command.hpp"

#include "config/parser.hpp"
#include "config/print.hpp"

namespace redkeep::config {

int run_check(const std::string& path, std::ostream& out, std::ostream& err) {
  const LoadResult result = load_file(path);
  for (const Diagnostic& d : result.diagnostics) err << d.to_string() << "\n";
  if (!result.ok()) return 1;
  out << format_effective(*result.config);
  return 0;
}

}  // namespace redkeep::config
