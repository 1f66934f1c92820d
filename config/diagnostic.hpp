#pragma once
// One message about a configuration file, in the compiler format editors and CI understand.

#include <string>

namespace redkeep::config {

/// An error or warning about a configuration file. line/column are 1-based; column counts
/// bytes (a tab is one column). line == 0 means no position (missing, unreadable, empty file).
/// The message never contains a secret (auth_pass, redis password): those print as ***.
struct Diagnostic {
  enum class Severity { error, warning };

  Severity severity = Severity::error;
  std::string file;
  int line = 0;
  int column = 0;
  std::string message;

  bool is_error() const { return severity == Severity::error; }

  /// `FILE:LINE:COLUMN: error: message`, or `FILE: error: message` without a position
  /// (`warning` instead of `error` for warnings).
  std::string to_string() const;
};

}  // namespace redkeep::config
