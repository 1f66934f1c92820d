// Where replica-priority comes from, on a virtual clock: CONFIG GET every period and at once
// after a reconnect, a refusal said once and never asked again, INFO standing in.
#include "core/replica_priority.hpp"

#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using redkeep::core::ReplicaPrioritySource;

TEST_CASE("ReplicaPrioritySource: CONFIG GET every period, at once after a reconnect",
          "[core][health]") {
  const ReplicaPrioritySource::Clock::time_point t0{};
  ReplicaPrioritySource s(2s);
  CHECK_FALSE(s.value());
  REQUIRE(s.config_get_due(t0));
  s.config_get_answered(std::string("100"));
  CHECK(s.value() == 100);
  CHECK_FALSE(s.config_get_due(t0 + 1999ms));
  REQUIRE(s.config_get_due(t0 + 2s));
  s.config_get_answered(std::nullopt);  // no such parameter: the last value stands
  CHECK(s.value() == 100);
  CHECK_FALSE(s.config_get_due(t0 + 2500ms));
  s.reconnected();
  REQUIRE(s.config_get_due(t0 + 2500ms));
  s.config_get_answered(std::string("not a number"));
  CHECK_FALSE(s.value());
}

TEST_CASE("ReplicaPrioritySource: a refusal is said once, never asked again, INFO stands in",
          "[core][health]") {
  const ReplicaPrioritySource::Clock::time_point t0{};
  ReplicaPrioritySource s(2s);
  REQUIRE(s.config_get_due(t0));
  s.config_get_answered(std::string("0"));
  REQUIRE(s.config_get_due(t0 + 2s));
  CHECK(s.config_get_refused());
  CHECK_FALSE(s.value());  // the refused read forgets the last one
  CHECK_FALSE(s.config_get_due(t0 + 10s));
  s.reconnected();
  CHECK_FALSE(s.config_get_due(t0 + 10s));
  CHECK_FALSE(s.config_get_refused());  // not a second time
  s.info_seen(std::nullopt);  // a master shows no slave_priority
  CHECK_FALSE(s.value());
  s.info_seen(0);
  CHECK(s.value() == 0);
  s.info_seen(std::nullopt);  // the last known stands
  CHECK(s.value() == 0);
}
