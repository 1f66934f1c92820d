// A burst of election decisions MASTER -> BACKUP -> MASTER, faster
// than VRRP timers allow, ends with the local Redis master (the final state),
// and the log shows every step in order. Real election and redis_role actors,
// a real redis-server; the vip and advert_io actors are stand-ins that answer
// at once (the test is about ordering, not about netlink).
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <iostream>
#include <sstream>

#include "../../support/redis_server.hpp"
#include "actors/election.hpp"
#include "actors/messages.hpp"
#include "actors/redis_role.hpp"
#include "redis/connection.hpp"
#include "redis/operations.hpp"

using namespace redkeep;
using namespace std::chrono_literals;

namespace {

caf::behavior fake_vip(caf::event_based_actor* self, caf::actor* election) {
  return {[=](const actors::VipCommand& cmd) {
            self->send(*election, actors::VipDone{cmd.generation, cmd.up, true, ""});
          },
          [](actors::renew_atom) {}};
}

// The advert socket takes every advert, as the kernel does on a working link.
caf::behavior fake_advert_io(caf::event_based_actor* self, caf::actor* election) {
  return {[=](const actors::AdvertOut&) { self->send(*election, actors::AdvertSent{true}); }};
}

// Takes an argument: CAF 0.17 spawns an argument-less function actor through a null
// std::tuple<> pointer, which UBSan flags in the sanitize stage.
caf::behavior sink_actor(caf::event_based_actor*, int) {
  return {[](const actors::ElectionSnapshot&) {}};
}

std::string role_of(test::RedisServer& server) {
  auto c = redis::Connection::open("127.0.0.1", server.port(), 1s, 1s, {}, "redkeep-test");
  REQUIRE(c);
  auto r = redis::role(c.value());
  REQUIRE(r);
  return r.value().kind == redis::Role::Kind::master ? "master"
                                                     : "replica of " + r.value().master_host;
}

}  // namespace

TEST_CASE("a MASTER -> BACKUP -> MASTER burst ends with Redis master, every step logged in order",
          "[actors][election][redis]") {
  test::RedisServer server;
  std::ostringstream log;
  auto previous = spdlog::default_logger();
  auto logger = std::make_shared<spdlog::logger>(
      "burst", std::make_shared<spdlog::sinks::ostream_sink_mt>(log));
  logger->set_pattern("%v");
  spdlog::set_default_logger(logger);

  actors::InstanceContext ctx;
  ctx.instance.name = "Burst";
  ctx.instance.virtual_router_id = 42;
  ctx.instance.priority = 100;
  ctx.instance.version = config::VrrpVersion::v3;
  ctx.instance.advert_int_cs = 1;  // 10 ms: Skew_Time is a few ms
  ctx.instance.state = config::InitialState::master;
  ctx.instance.virtual_ipaddress = {{*net::IpAddress::parse("192.0.2.100"), 24}};
  ctx.instance.redis = config::RedisSettings{};
  ctx.instance.redis->port = static_cast<std::uint16_t>(server.port());
  ctx.primary_address = *net::IpAddress::parse("192.0.2.1");
  const auto peer = *net::IpAddress::parse("192.0.2.200");

  {
    caf::actor_system_config cfg;
    caf::actor_system sys{cfg};
    caf::scoped_actor self{sys};
    caf::actor election;
    auto vip = sys.spawn(fake_vip, &election);
    auto sink = sys.spawn(sink_actor, 0);
    auto advert_io = sys.spawn(fake_advert_io, &election);
    auto role = actors::spawn_redis_role(self.ptr(), ctx);
    election = actors::spawn_election(self.ptr(), ctx, nullptr);
    actors::Wiring w{sink,
                     caf::actor_cast<actors::election_actor>(election),
                     caf::actor_cast<actors::advert_io_actor>(advert_io),
                     caf::actor_cast<actors::vip_actor>(vip),
                     {},
                     caf::actor_cast<actors::redis_role_actor>(role),
                     {},
                     {},
                     {},
                     {}};
    self->send(role, w);
    self->send(election, w);  // startup: state MASTER -> Master at once

    auto state = [&] {
      std::string json;
      self->request(election, 2s, actors::status_atom::value,
                    std::map<std::string, std::uint64_t>{})
          .receive([&](const std::string& j) { json = j; }, [](caf::error&) {});
      return json;
    };
    // The burst: a higher priority master appears (-> BACKUP, replica of it),
    // then resigns (priority 0 -> Master after Skew_Time, a few ms).
    self->send(election, actors::AdvertIn{{peer, 200, net::vrrp::Centiseconds{1}}});
    self->send(election, actors::AdvertIn{{peer, 0, net::vrrp::Centiseconds{1}}});

    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (std::chrono::steady_clock::now() < deadline &&
           !(state().find("\"state\":\"MASTER\"") != std::string::npos &&
             state().find("\"vip_held\":true") != std::string::npos))
      std::this_thread::sleep_for(5ms);
    CHECK(state().find("\"state\":\"MASTER\"") != std::string::npos);
    CHECK(role_of(server) == "master");

    for (auto& a : {vip, sink, advert_io, role, election})
      self->send_exit(a, caf::exit_reason::user_shutdown);
  }
  spdlog::set_default_logger(previous);

  auto text = log.str();
  INFO(text);
  if (std::getenv("REDKEEP_SHOW_LOG")) std::cerr << text;
  std::size_t at = 0;
  for (const char* step :
       {"Entering MASTER state (initial state MASTER",
        "Entering BACKUP state (higher priority 200 advert from 192.0.2.200",
        "Entering MASTER state (priority 0 advert from 192.0.2.200", "Redis is now master"}) {
    auto found = text.find(step, at);
    INFO("step: " << step);
    REQUIRE(found != std::string::npos);
    at = found;
  }
  // Nothing demotes Redis after the final promotion.
  CHECK(text.find("Redis is now replica", at) == std::string::npos);
}
