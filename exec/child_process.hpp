#pragma once
// Runs a script as keepalived runs its scripts, but never blocking an actor: the caller runs
// run_script() on a helper thread (actors/poll_thread.hpp). The child gets its own process
// group (a timed-out script is killed with everything it started), standard input, output and
// error on /dev/null, no other descriptor of the daemon, default signal handling, and none of
// redkeep's capabilities (CAP_NET_ADMIN, CAP_NET_RAW: dropped from its bounding, inheritable
// and ambient sets, so even a root script cannot take them back on exec); as `user` when
// redkeep runs as root.

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace redkeep::exec {

/// The identity a script runs as (resolved before the fork: the child may not look names up).
struct RunAs {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  ///< supplementary groups of the user
};

/// Looks up `user` (and `group`, else the user's primary group) in the system's databases.
/// Errors (nullopt, `error` set): "no user named X", "no group named Y".
std::optional<RunAs> resolve_run_as(const std::string& user,
                                    const std::optional<std::string>& group, std::string& error);

/// How a run ended.
struct RunResult {
  enum class Outcome {
    exited,     ///< `status` is the exit status (0 = success)
    signaled,   ///< killed by signal `status` (not by us)
    timed_out,  ///< still running at the timeout: its process group was killed
    no_start,   ///< could not be started: `detail` says why (fork, exec, user)
    stopped,    ///< the caller asked to stop: its process group was killed
  };
  Outcome outcome = Outcome::no_start;
  int status = 0;
  std::chrono::milliseconds took{0};
  std::string detail;  ///< no_start: "exec /x: No such file or directory"

  bool success() const { return outcome == Outcome::exited && status == 0; }
  /// "exited with status 1", "killed by signal 9 (Killed)", "timed out after 2000 ms (killed
  /// with its process group)", "could not start: ...".
  std::string describe() const;
};

/// What becomes of the processes a script leaves in its process group when it exits.
enum class Leftovers {
  keep,  ///< they go on (a notify script may start something on purpose)
  kill,  ///< killed with the group (a check must not leave processes behind, run after run)
};

/// Runs `argv` (argv[0] looked up in PATH when it has no '/') and waits until it exits, or
/// `timeout` passes, or `stop` turns true (checked every 100 ms); in the last two cases its
/// whole process group is killed (SIGKILL) and reaped before returning, and on a normal exit
/// as `leftovers` says. `as`: run as that identity (the caller checked that redkeep is root).
/// Never throws.
RunResult run_script(const std::vector<std::string>& argv, const std::optional<RunAs>& as,
                     std::chrono::milliseconds timeout, const std::atomic<bool>& stop,
                     Leftovers leftovers = Leftovers::keep);

/// A script's command line (exec/command_line.hpp) with `extra` words, run as `user` (and
/// `group`) when one is given, else as redkeep: run_script() of it. An unknown user or group is
/// a run that could not start (no_start, "no user named X").
RunResult run_command_line(const std::string& line, const std::vector<std::string>& extra,
                           const std::optional<std::string>& user,
                           const std::optional<std::string>& group,
                           std::chrono::milliseconds timeout, const std::atomic<bool>& stop,
                           Leftovers leftovers = Leftovers::keep);

}  // namespace redkeep::exec
