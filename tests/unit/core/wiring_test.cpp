// What a child that is between restarts is told: nothing until it runs again, then everything
// it must know (the core re-sends once the supervisor wires the new incarnation).
#include <catch2/catch.hpp>

#include "scenario.hpp"

using namespace redkeep;
using namespace redkeep::test;

TEST_CASE("the Master overdue is told to redis_health once it runs again, not into the void",
          "[core][wiring]") {
  auto d = following_backup();
  core::Wired down;
  down.redis_health_up = false;
  d.feed(down);
  d.advance(3s);  // the Master's adverts are overdue meanwhile
  CHECK(d.all<core::MasterOverdue>().empty());
  CHECK(d.all<core::ProbeMembers>().empty());
  core::Wired back;
  back.redis_health = true;  // a new incarnation
  d.feed(back);
  REQUIRE(d.all<core::MasterOverdue>().size() == 1);
  CHECK(d.all<core::MasterOverdue>()[0].overdue);
}

TEST_CASE("a restarted vip actor is told again that a cut-off Master is quiet", "[core][wiring]") {
  auto d = serving_master();
  d.feed(core::ProbeRound{d.now, 2, 2});
  for (int i = 0; i < 3; ++i) {
    d.advance(1s);
    d.feed(core::ProbeRound{d.now, 2, 0});
  }
  REQUIRE(d.all<core::GarpQuiet>().size() == 1);
  core::Wired down;
  down.vip_up = false;
  d.feed(down);
  core::Wired back;
  back.vip = true;
  d.feed(back);
  d.advance(1s);
  REQUIRE(d.all<core::GarpQuiet>().size() == 2);
  CHECK(d.all<core::GarpQuiet>()[1].quiet);
}
