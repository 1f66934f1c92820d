#include "config/migrate_command.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "config/migrate.hpp"
#include "config/parser.hpp"
#include "config/script_checks.hpp"

namespace redkeep::config {

int run_migrate(const std::string& path, std::ostream& out, std::ostream& err) {
  const auto refuse = [&](const std::string& why) {
    err << "redkeep migrate: cannot read " << path << ": " << why << "\n";
    return 2;
  };
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return refuse(std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return refuse("not a regular file");
  if (st.st_size >= (1 << 20)) return refuse("larger than 1 MiB");
  const auto text = read_regular_file(path);
  if (!text) return refuse("not readable");
  const MigrateResult result = migrate(*text, path, read_regular_file);
  out << result.text;
  for (const auto& d : result.diagnostics) err << d.to_string() << "\n";
  const LoadResult check = check_text(result.text, "the migrated configuration");
  bool ok = result.diagnostics.empty();
  for (const auto& d : check.diagnostics) {
    if (!d.is_error()) continue;
    err << "redkeep migrate: " << d.to_string() << "\n";
    ok = false;
  }
  return ok ? 0 : 1;
}

}  // namespace redkeep::config
