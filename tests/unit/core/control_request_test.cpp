// The control socket's request lines, as `redkeep status`, `cold-start`, `switchover`,
// `reload` and the lab's test hooks write them.
#include "core/control_request.hpp"

#include <catch2/catch.hpp>

using redkeep::core::ControlRequest;
using redkeep::core::parse_control_request;
using Kind = ControlRequest::Kind;

TEST_CASE("Control requests: each command and its arguments", "[core][control]") {
  CHECK(parse_control_request("status").kind == Kind::status);
  CHECK(parse_control_request("reload").kind == Kind::reload);
  auto c = parse_control_request("cold-start-force");
  CHECK(c.kind == Kind::cold_start_force);
  CHECK(c.target.empty());
  c = parse_control_request("cold-start-force HARedis");
  CHECK(c.kind == Kind::cold_start_force);
  CHECK(c.target == "HARedis");
  auto s = parse_control_request("switchover 5000 HARedis");
  CHECK(s.kind == Kind::switchover);
  CHECK(s.ms == 5000);
  CHECK(s.target == "HARedis");
  s = parse_control_request("switchover 1");
  CHECK(s.kind == Kind::switchover);
  CHECK(s.target.empty());
  auto h = parse_control_request("hang election[HARedis] 2500");
  CHECK(h.kind == Kind::hang);
  CHECK(h.target == "election[HARedis]");
  CHECK(h.ms == 2500);
  auto k = parse_control_request("crash vip[HARedis]");
  CHECK(k.kind == Kind::crash);
  CHECK(k.target == "vip[HARedis]");
}

TEST_CASE("Control requests: bad switchover timeouts, unknown lines, what runs long",
          "[core][control]") {
  for (const char* line : {"switchover 0", "switchover 300001", "switchover -5", "switchover x",
                           "switchover "}) {
    INFO(line);
    CHECK(parse_control_request(line).kind == Kind::malformed_switchover);
  }
  CHECK(parse_control_request("switchover 300000").kind == Kind::switchover);
  for (const char* line : {"", "statuss", "Status", "reload now", "switchover", "cold-start"}) {
    INFO(line);
    CHECK(parse_control_request(line).kind == Kind::unknown);
  }
  CHECK(parse_control_request("reload").long_running());
  CHECK(parse_control_request("switchover 10").long_running());
  CHECK(parse_control_request("switchover 0").long_running());
  CHECK_FALSE(parse_control_request("status").long_running());
  CHECK_FALSE(parse_control_request("cold-start-force").long_running());
}
