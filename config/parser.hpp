#pragma once
// Entry points of the configuration language: file or text -> Config + diagnostics.
// Pipeline: lexer.hpp (tokens) -> syntax.hpp (blocks) -> builder.hpp (keywords, values) ->
// validate.hpp (rules across keywords and instances).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/diagnostic.hpp"
#include "config/model.hpp"

namespace redkeep::config {

/// The outcome of reading a configuration: the effective Config when there is no error, and
/// every error and warning found (all of them, in file order; none quotes a secret).
struct LoadResult {
  std::optional<Config> config;
  std::vector<Diagnostic> diagnostics;

  /// True when a Config was produced (no error; warnings allowed).
  bool ok() const;
};

/// Reads and parses `path`. The only I/O: reading the file and its mode, and the checks of
/// the scripts it runs against this system (config/script_checks.hpp). A missing, unreadable
/// or directory path, or a file without any statement, is a position-less error. A file readable
/// by others (mode & 0004) that holds a password (auth_pass, redis password) draws a warning.
/// `include` is not implemented: it is reported as "not supported yet".
LoadResult load_file(const std::string& path);

/// Parses configuration text; `file_name` only labels the diagnostics. Pure.
LoadResult parse_text(std::string_view text, const std::string& file_name);

/// parse_text(), then the checks of the scripts the text runs against this system
/// (config/script_checks.hpp), as load_file() does.
LoadResult check_text(std::string_view text, const std::string& file_name);

}  // namespace redkeep::config
