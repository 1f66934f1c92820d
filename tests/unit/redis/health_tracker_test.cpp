#include "redis/health_tracker.hpp"

#include <catch2/catch.hpp>

using namespace redkeep::redis;

TEST_CASE("fall consecutive failures make Redis unhealthy", "[redis][health]") {
  HealthTracker t(3, 2);
  CHECK_FALSE(t.record(CheckOutcome::failure));
  CHECK_FALSE(t.record(CheckOutcome::failure));
  CHECK(t.healthy());
  CHECK(t.record(CheckOutcome::failure));
  CHECK_FALSE(t.healthy());
}

TEST_CASE("a success between failures restarts the fall count", "[redis][health]") {
  HealthTracker t(3, 2);
  t.record(CheckOutcome::failure);
  t.record(CheckOutcome::failure);
  t.record(CheckOutcome::pong);
  t.record(CheckOutcome::failure);
  t.record(CheckOutcome::failure);
  CHECK(t.healthy());
}

TEST_CASE("rise consecutive successes make it healthy again", "[redis][health]") {
  HealthTracker t(1, 2);
  t.record(CheckOutcome::failure);
  REQUIRE_FALSE(t.healthy());
  CHECK_FALSE(t.record(CheckOutcome::pong));
  CHECK(t.record(CheckOutcome::pong));
  CHECK(t.healthy());
}

TEST_CASE("a refused connection is a failure at once, not after fall", "[redis][health]") {
  HealthTracker t(3, 2);
  CHECK(t.record(CheckOutcome::down));
  CHECK_FALSE(t.healthy());
  CHECK(outcome_of(Failure::refused) == CheckOutcome::down);
}

TEST_CASE("timeouts and BUSY count toward fall", "[redis][health]") {
  CHECK(outcome_of(Failure::timeout) == CheckOutcome::failure);
  CHECK(outcome_of(Failure::busy) == CheckOutcome::failure);
}

TEST_CASE("LOADING is alive but not eligible", "[redis][health]") {
  HealthTracker t(3, 2);
  CHECK(outcome_of(Failure::loading) == CheckOutcome::loading);
  CHECK_FALSE(t.record(CheckOutcome::loading));
  CHECK(t.healthy());
  CHECK(t.loading());
  t.record(CheckOutcome::pong);
  CHECK_FALSE(t.loading());
}

TEST_CASE("NOAUTH/WRONGPASS is a configuration error and Fault at once", "[redis][health]") {
  HealthTracker t(3, 2);
  CHECK(outcome_of(Failure::auth) == CheckOutcome::config_error);
  CHECK(t.record(CheckOutcome::config_error));
  CHECK_FALSE(t.healthy());
  CHECK(t.config_error());
}
