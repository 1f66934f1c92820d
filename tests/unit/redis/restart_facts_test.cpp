// What redis-server (Debian's 7.0) really restores after a restart, which the sync gate and the
// cold-start comparison rely on, and the gate on real data sets: checked here
// against the server rather than trusted from the docs.
#include <catch2/catch.hpp>

#include "live.hpp"
#include "redis/operations.hpp"
#include "redis/sync_gate.hpp"

using namespace redkeep::redis;
using namespace std::chrono_literals;
using redkeep::redis::testing::must_connect;
using redkeep::redis::testing::eventually;
using redkeep::redis::testing::permit_to;
using redkeep::test::RedisServer;

namespace {

/// INFO replication, keyspace and persistence, once the server has finished loading.
InfoSections loaded_info(Connection& c) {
  std::optional<InfoSections> got;
  REQUIRE(eventually([&] {
    auto i = info(c, {"replication", "keyspace", "persistence"});
    if (!i || parse_persistence_info(i.value()).loading.value_or(true)) return false;
    got = i.value();
    return true;
  }));
  return *got;
}

void write_keys(Connection& c, const std::string& prefix, int from, int to) {
  for (int i = from; i < to; ++i) REQUIRE(c.command({"SET", prefix + std::to_string(i), "v"}));
}

/// Restarts `server` (kill -9, start) and returns a connection to it.
Connection restart(RedisServer& server) {
  server.kill9();
  server.start();
  return must_connect(server);
}

}  // namespace

TEST_CASE("Redis 7.0 restores its history (replid2, second_repl_offset) from the RDB of a "
          "master that had a replica",
          "[redis][restart_facts]") {
  RedisServer master_server, replica_server;
  auto m = must_connect(master_server);
  auto r = must_connect(replica_server);
  REQUIRE(replicaof(r, permit_to(r, master_server.port())).ok());
  // Synced first: a master keeps (and saves) a replication history only once a replica has
  // connected, and before that both offsets read 0.
  REQUIRE(eventually([&] {
    return parse_replication_info(loaded_info(r)).master_link_status == LinkStatus::up;
  }));
  write_keys(m, "k", 0, 50);
  const auto before = parse_replication_info(loaded_info(m));
  REQUIRE(before.master_repl_offset.value_or(0) > 0);
  REQUIRE(eventually([&] {
    return parse_replication_info(loaded_info(r)).master_repl_offset == before.master_repl_offset;
  }));
  REQUIRE(m.command({"SAVE"}));
  m = restart(master_server);
  const auto after = loaded_info(m);
  const auto repl = parse_replication_info(after);
  CHECK(repl.master_replid != before.master_replid);  // a fresh id...
  CHECK(repl.master_replid2 == before.master_replid);  // ...the old history kept as replid2
  CHECK(repl.second_repl_offset == *before.master_repl_offset + 1);
  CHECK(repl.master_repl_offset == before.master_repl_offset);
  CHECK(key_count(after) == 50);
  CHECK(parse_persistence_info(after).rdb_last_load_keys_loaded == 50);
  // So ids decide against its former replica: the same data.
  CHECK(order_by_history(data_side(after), data_side(loaded_info(r))) == DataOrder::same);
}

TEST_CASE("Redis 7.0 restores no history from the RDB of a master that never had a replica",
          "[redis][restart_facts]") {
  RedisServer server;
  auto c = must_connect(server);
  write_keys(c, "k", 0, 50);
  REQUIRE(c.command({"SAVE"}));
  c = restart(server);
  const auto after = loaded_info(c);
  const auto repl = parse_replication_info(after);
  CHECK(repl.master_replid2 == std::string(40, '0'));
  CHECK(repl.master_repl_offset == 0);
  CHECK(key_count(after) == 50);
  CHECK(parse_persistence_info(after).rdb_last_load_keys_loaded == 50);
}

TEST_CASE("Redis 7.0 restores no history from an AOF, and counts none of its keys in "
          "rdb_last_load_keys_loaded",
          "[redis][restart_facts]") {
  RedisServer::Options options;
  options.extra_args = {"--appendonly", "yes", "--appendfsync", "always"};
  RedisServer server(options);
  auto c = must_connect(server);
  write_keys(c, "k", 0, 50);
  c = restart(server);
  const auto after = loaded_info(c);
  const auto repl = parse_replication_info(after);
  CHECK(repl.master_replid2 == std::string(40, '0'));
  CHECK(repl.master_repl_offset == 0);
  CHECK(key_count(after) == 50);
  CHECK(parse_persistence_info(after).aof_enabled == true);
  // Why the gate does not take that counter for "loaded from disk": the stale AOF node of a
  // power loss would look as if it loaded nothing.
  CHECK(parse_persistence_info(after).rdb_last_load_keys_loaded == 0);
  CHECK_FALSE(holds_loaded_data(after));
}

TEST_CASE("the sync gate on real data sets: an AOF node newer than the master, diverged from it, "
          "or a prefix of it",
          "[redis][restart_facts][sync_gate]") {
  RedisServer::Options options;
  options.extra_args = {"--appendonly", "yes", "--appendfsync", "always"};
  RedisServer node_server(options), master_server;
  auto node = must_connect(node_server);
  auto master = must_connect(master_server);
  write_keys(node, "k", 0, 100);
  node = restart(node_server);  // 100 keys back from its AOF, under a fresh id
  write_keys(master, "k", 0, 50);  // the stale master: the first 50

  const auto ask = [&] {
    SyncRequest request;
    request.mine = loaded_info(node);
    request.theirs = loaded_info(master);
    request.parties = {"127.0.0.1", master_server.port(), "127.0.0.1", node_server.port()};
    REQUIRE(needs_key_samples(request));  // AOF: ids cannot decide
    request.ours_there = sample_against(node, master, request.mine);
    request.theirs_here = sample_against(master, node, *request.theirs);
    return judge_sync(request);
  };
  SECTION("the master lacks half of its keys: refused") {
    auto v = ask();
    REQUIRE_FALSE(v.permit);
    CHECK(v.refusal.find("it holds 100 keys") != std::string::npos);
    CHECK(v.refusal.find("diverged") == std::string::npos);
  }
  SECTION("the master took writes of its own too: refused as diverged") {
    write_keys(master, "new", 0, 100);
    auto v = ask();
    REQUIRE_FALSE(v.permit);
    CHECK(v.refusal.find("the two have diverged") != std::string::npos);
  }
  SECTION("the master holds all of its keys and more: permitted, and the sync runs") {
    write_keys(master, "k", 50, 150);
    auto v = ask();
    REQUIRE(v.permit);
    REQUIRE(replicaof(node, std::move(*v.permit)).ok());
    REQUIRE(eventually([&] { return key_count(loaded_info(node)) == 150; }, 10000ms));
  }
}
