#include "core/signal_policy.hpp"

#include <csignal>

namespace redkeep::core {

SignalAction SignalPolicy::take(int signal) {
  switch (signal) {
    case SIGTERM:
    case SIGINT:
      return stops_++ == 0 ? SignalAction::stop : SignalAction::stop_at_once;
    case SIGHUP:
      return stops_ > 0 ? SignalAction::reload_ignored : SignalAction::reload;
    case SIGUSR1:
      return SignalAction::status_dump;
    default:
      return SignalAction::none;
  }
}

}  // namespace redkeep::core
