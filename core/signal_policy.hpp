#pragma once
// What `redkeep run` does with each signal it takes (signal(7) numbers): SIGTERM and SIGINT
// stop (the first gracefully, with each instance's stop protocol; a second at once), SIGHUP
// reloads the configuration unless a stop is under way, SIGUSR1 logs the status. Pure: the
// caller reads the signals and carries out the action.

namespace redkeep::core {

enum class SignalAction {
  stop,             ///< the first stop signal: each instance runs its stop protocol
  stop_at_once,     ///< a second stop signal: the supervisor goes now
  reload,           ///< SIGHUP: read the configuration again
  reload_ignored,   ///< SIGHUP during a stop: too late to reload
  status_dump,      ///< SIGUSR1: the status into the log
  none,             ///< any other signal
};

/// Remembers whether a stop has begun.
class SignalPolicy {
 public:
  /// The action for `signal` (SIGTERM, SIGINT, SIGHUP, SIGUSR1; others: none).
  SignalAction take(int signal);

 private:
  int stops_ = 0;
};

}  // namespace redkeep::core
