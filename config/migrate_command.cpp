#include "config/migrate_command.hpp"

#include <fstream>
#include <sstream>

#include "config/migrate.hpp"
#include "config/parser.hpp"

namespace redkeep::config {
namespace {

/// Files larger than this are not a keepalived.conf or a script (nor read whole).
constexpr std::size_t kMaxBytes = 1 << 20;

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string text(kMaxBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return std::nullopt;
  text.resize(static_cast<std::size_t>(in.gcount()));
  return text;
}

}  // namespace

int run_migrate(const std::string& path, std::ostream& out, std::ostream& err) {
  const auto text = read_file(path);
  if (!text || text->size() > kMaxBytes) {
    err << "redkeep migrate: cannot read " << path
        << (text ? ": larger than 1 MiB" : ": no such file or not readable") << "\n";
    return 2;
  }
  const MigrateResult result = migrate(*text, path, read_file);
  out << result.text;
  for (const auto& d : result.diagnostics) err << d.to_string() << "\n";
  const LoadResult check = parse_text(result.text, "the migrated configuration");
  bool ok = result.diagnostics.empty();
  for (const auto& d : check.diagnostics) {
    if (!d.is_error()) continue;
    err << "redkeep migrate: " << d.to_string() << "\n";
    ok = false;
  }
  return ok ? 0 : 1;
}

}  // namespace redkeep::config
