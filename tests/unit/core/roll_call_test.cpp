// The readiness and watchdog gate: a round completes only when every member answered, strangers
// do not count, and a reload's new member set keeps the answers of members that stay.
#include "core/roll_call.hpp"

#include <catch2/catch.hpp>

using redkeep::core::RollCall;

TEST_CASE("RollCall: complete only when every member answered, then a new round",
          "[core][service]") {
  RollCall r;
  r.set_members({"a", "b"});
  CHECK_FALSE(r.answer("a"));
  CHECK_FALSE(r.answer("a"));  // twice is still one member
  CHECK_FALSE(r.answer("stranger"));
  CHECK(r.answer("b"));
  // A new round: one hung member holds every later round back.
  CHECK_FALSE(r.answer("b"));
  CHECK_FALSE(r.answer("b"));
  CHECK(r.answer("a"));
}

TEST_CASE("RollCall: no members, no complete round", "[core][service]") {
  RollCall r;
  CHECK_FALSE(r.answer("a"));
  r.set_members({});
  CHECK_FALSE(r.answer("a"));
}

TEST_CASE("RollCall: a new member set keeps the answers of members that stay",
          "[core][service]") {
  RollCall r;
  r.set_members({"a", "b"});
  CHECK_FALSE(r.answer("a"));
  r.set_members({"a", "c"});  // b removed, c added: a's answer stays
  CHECK(r.answer("c"));
  CHECK_FALSE(r.answer("c"));
  r.set_members({"c"});  // removing the member that had not answered completes nothing by itself
  CHECK(r.answer("c"));
}
