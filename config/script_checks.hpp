#pragma once
// What `check` says about the scripts a configuration runs (vrrp_script, notify_*), from the
// system they will run on: the user to run them as, the program, and notify scripts that
// switch Redis roles behind redkeep's back. The system comes through ScriptEnvironment, so
// the rules are tested with a fake one.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "config/builder.hpp"
#include "config/diagnostic.hpp"
#include "config/keepalived_script.hpp"
#include "config/model.hpp"

namespace redkeep::config {

/// The facts of the system the checks need.
struct ScriptEnvironment {
  bool root = false;  ///< redkeep runs as root (effective uid 0)
  std::function<bool(const std::string& user)> user_exists;
  std::function<bool(const std::string& group)> group_exists;
  /// Whether `program` runs (a name without '/' is looked up in PATH): an executable file for
  /// `user` (and `group`; redkeep's own user when none), and so is the interpreter its `#!`
  /// line names.
  std::function<bool(const std::string& program, const std::optional<std::string>& user,
                     const std::optional<std::string>& group)>
      executable;
  ReadFile read;  ///< a script file's text (nullopt when unreadable)
};

/// This process's system: geteuid, the user and group databases, access(X_OK), files.
ScriptEnvironment system_environment();

/// The text of the regular file at `path` (its first MiB); nullopt for anything else (a FIFO,
/// a device, a directory: never a read that blocks) or when it cannot be read.
std::optional<std::string> read_regular_file(const std::string& path);

/// Appends, for every tracked vrrp_script and every notify script:
/// - error: `user` while redkeep does not run as root (it could not switch to that user);
///   a user or group that does not exist;
/// - error: the program of a line run without a shell is not an executable file;
/// - warning: a notify script that switches the local Redis's role (SLAVEOF / REPLICAOF):
///   redkeep does that itself, and the two would race.
void check_scripts(const Config& config, const SourceMap& source, const std::string& file_name,
                   const ScriptEnvironment& env, std::vector<Diagnostic>& diagnostics);

}  // namespace redkeep::config
