// The daemon's signals: the first stop is graceful, a second one immediate (either of SIGTERM
// and SIGINT), SIGHUP reloads until a stop begins, SIGUSR1 always dumps the status.
#include "core/signal_policy.hpp"

#include <catch2/catch.hpp>
#include <csignal>

using redkeep::core::SignalAction;
using redkeep::core::SignalPolicy;

TEST_CASE("SignalPolicy: a first stop signal stops gracefully, any second one at once",
          "[core][signals]") {
  SignalPolicy p;
  CHECK(p.take(SIGHUP) == SignalAction::reload);
  CHECK(p.take(SIGINT) == SignalAction::stop);
  CHECK(p.take(SIGTERM) == SignalAction::stop_at_once);
  CHECK(p.take(SIGTERM) == SignalAction::stop_at_once);
  SignalPolicy q;
  CHECK(q.take(SIGTERM) == SignalAction::stop);
  CHECK(q.take(SIGINT) == SignalAction::stop_at_once);
}

TEST_CASE("SignalPolicy: no reload once a stop began, status dumps always, others ignored",
          "[core][signals]") {
  SignalPolicy p;
  CHECK(p.take(SIGUSR1) == SignalAction::status_dump);
  CHECK(p.take(SIGHUP) == SignalAction::reload);
  CHECK(p.take(SIGHUP) == SignalAction::reload);
  CHECK(p.take(SIGUSR2) == SignalAction::none);
  CHECK(p.take(SIGTERM) == SignalAction::stop);
  CHECK(p.take(SIGHUP) == SignalAction::reload_ignored);
  CHECK(p.take(SIGUSR1) == SignalAction::status_dump);
}
