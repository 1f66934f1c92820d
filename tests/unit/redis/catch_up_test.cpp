// Switchover catch-up: the offset comparison on INFO texts, then on a real
// master and replica with writes paused.
#include "redis/catch_up.hpp"

#include <catch2/catch.hpp>

#include "tests/support/redis_server.hpp"
#include "tests/unit/redis/live.hpp"

using namespace redkeep::redis;
using namespace std::chrono_literals;
using redkeep::redis::testing::eventually;
using redkeep::redis::testing::must_connect;
using redkeep::redis::testing::permit_to;
using redkeep::test::RedisServer;

namespace {

ReplicationInfo master_at(std::int64_t offset, const char* replid = "aaaa1111") {
  return parse_replication_info("role:master\nmaster_replid:" + std::string(replid) +
                                "\nmaster_repl_offset:" + std::to_string(offset) + "\n");
}

ReplicationInfo replica_at(std::int64_t offset, const char* link = "up",
                           const char* replid = "aaaa1111") {
  return parse_replication_info("role:slave\nmaster_link_status:" + std::string(link) +
                                "\nslave_repl_offset:" + std::to_string(offset) +
                                "\nmaster_replid:" + replid +
                                "\nmaster_repl_offset:" + std::to_string(offset) + "\n");
}

}  // namespace

TEST_CASE("compare_catch_up: done only at the Master's offset, same history, link up",
          "[redis][switchover]") {
  const auto done = compare_catch_up(master_at(500), replica_at(500));
  CHECK(done.done);
  CHECK(done.detail == "offset 500 of the Master's 500");

  const auto behind = compare_catch_up(master_at(500), replica_at(420));
  CHECK_FALSE(behind.done);
  CHECK_FALSE(behind.hopeless);
  CHECK(behind.detail == "offset 420 of the Master's 500");

  const auto link_down = compare_catch_up(master_at(500), replica_at(500, "down"));
  CHECK_FALSE(link_down.done);
  CHECK_FALSE(link_down.hopeless);
  CHECK(link_down.detail == "offset 500 of the Master's 500, replication link down");

  CHECK(compare_catch_up(master_at(500), replica_at(600)).hopeless);
  CHECK(compare_catch_up(master_at(500), replica_at(500, "up", "bbbb2222")).hopeless);
  CHECK_FALSE(compare_catch_up(master_at(500), replica_at(500, "down", "bbbb2222")).hopeless);
  CHECK(compare_catch_up(master_at(500), master_at(500)).hopeless);
  CHECK(compare_catch_up(replica_at(500), replica_at(500)).hopeless);
}

TEST_CASE("a paused master's replica reaches its offset, and writes wait until unpaused",
          "[redis][switchover]") {
  RedisServer master_server;
  RedisServer replica_server;
  auto m = must_connect(master_server);
  auto r = must_connect(replica_server);
  REQUIRE(replicaof(r, permit_to(r, master_server.port())).ok());
  for (int i = 0; i < 50; ++i) REQUIRE(m.command({"SET", "k" + std::to_string(i), "v"}));

  REQUIRE(pause_writes(m, 5000ms).ok());
  auto read = [](Connection& c) {
    return parse_replication_info(info(c, {"replication"}).value());
  };
  REQUIRE(eventually([&] { return compare_catch_up(read(m), read(r)).done; }, 5000ms));

  // A write from a client waits (here: past its command timeout); reads go on.
  auto writer = redkeep::redis::testing::connect(master_server, "writer", 300ms);
  REQUIRE(writer);
  auto set = writer.value().command({"SET", "late", "v"});
  REQUIRE_FALSE(set);
  CHECK(set.failure() == Failure::timeout);
  CHECK(m.command({"GET", "k1"}));
  CHECK(compare_catch_up(read(m), read(r)).done);

  REQUIRE(unpause(m).ok());
  auto writer2 = must_connect(master_server, "writer2");
  CHECK(writer2.command({"SET", "after", "v"}));
}

TEST_CASE("earlier_switchovers: another node's switchover that paused first, by client id",
          "[redis][switchover]") {
  const std::vector<ClientEntry> clients = {
      {5, "192.0.2.13:40000", "redkeep-switchover", "N"},
      {7, "192.0.2.12:50000", "redkeep-switchover", "N"},
      {9, "192.0.2.14:60000", "redkeep-switchover", "N"},
      {3, "192.0.2.12:40001", "redkeep-health", "N"},
  };
  const auto before_7 = earlier_switchovers(clients, "192.0.2.12:50000");
  REQUIRE(before_7.size() == 1);
  CHECK(before_7[0].addr == "192.0.2.13:40000");
  CHECK(earlier_switchovers(clients, "192.0.2.13:40000").empty());
  // Ours not listed (before the pause, or gone): every other one counts.
  CHECK(earlier_switchovers(clients, "none").size() == 3);
}
