#include "redis/operations.hpp"

#include <catch2/catch.hpp>
#include <map>

#include "tests/support/redis_server.hpp"
#include "tests/unit/redis/live.hpp"

using namespace redkeep::redis;
using namespace std::chrono_literals;
using redkeep::redis::testing::connect;
using redkeep::redis::testing::eventually;
using redkeep::redis::testing::must_connect;
using redkeep::redis::testing::permit_to;
using redkeep::test::RedisServer;

namespace {

bool link_connected(Connection& c) {
  auto r = role(c);
  return r && r.value().kind == Role::Kind::replica &&
         r.value().link() == ReplicaLinkState::connected;
}

}  // namespace

TEST_CASE("info: several sections in one call, run_id changes on restart", "[redis][ops]") {
  RedisServer server;
  std::string first_run_id;
  {
    auto c = must_connect(server);
    auto info = redkeep::redis::info(c, {"replication", "server", "persistence"});
    REQUIRE(info);
    CHECK(parse_replication_info(info.value()).role == InfoRole::master);
    const auto s = parse_server_info(info.value());
    CHECK(s.tcp_port == server.port());
    CHECK(s.run_id.size() == 40);
    CHECK(parse_persistence_info(info.value()).loading == false);
    first_run_id = s.run_id;
  }
  server.restart();
  auto c = must_connect(server);
  auto info = redkeep::redis::info(c, {"server"});
  REQUIRE(info);
  const auto run_id = parse_server_info(info.value()).run_id;
  CHECK(run_id.size() == 40);
  CHECK(run_id != first_run_id);
}

TEST_CASE("replicaof / replicaof_no_one switch roles, verified with ROLE", "[redis][ops]") {
  RedisServer master_server;
  RedisServer replica_server;
  auto m = must_connect(master_server);
  auto r = must_connect(replica_server);
  REQUIRE(m.command({"SET", "k", "v"}));

  REQUIRE(replicaof(r, permit_to(r, master_server.port())).ok());
  auto ok = verify_role(r, ExpectedRole::replica_of("127.0.0.1", master_server.port()));
  REQUIRE(ok);
  CHECK(ok.value());
  auto wrong = verify_role(r, ExpectedRole::replica_of("127.0.0.1", master_server.port() + 1));
  REQUIRE(wrong);
  CHECK_FALSE(wrong.value());
  auto not_master = verify_role(r, ExpectedRole::master());
  REQUIRE(not_master);
  CHECK_FALSE(not_master.value());

  REQUIRE(eventually([&] { return link_connected(r); }));
  auto replica_role = role(r);
  REQUIRE(replica_role);
  CHECK(replica_role.value().master_host == "127.0.0.1");
  CHECK(replica_role.value().master_port == master_server.port());
  auto got = r.command({"GET", "k"});
  REQUIRE(got);
  CHECK(got.value().str == "v");
  REQUIRE(eventually([&] {
    auto mr = role(m);
    return mr && mr.value().replicas.size() == 1 &&
           mr.value().replicas[0].port == replica_server.port();
  }));

  REQUIRE(replicaof_no_one(r).ok());
  auto is_master = verify_role(r, ExpectedRole::master());
  REQUIRE(is_master);
  CHECK(is_master.value());
}

TEST_CASE("replicaof falls back to SLAVEOF when REPLICAOF is renamed away", "[redis][ops]") {
  RedisServer master_server;
  RedisServer::Options options;
  options.extra_args = {"--rename-command", "REPLICAOF", ""};
  RedisServer replica_server(options);
  auto r = must_connect(replica_server);
  auto direct = r.command({"REPLICAOF", "NO", "ONE"});
  REQUIRE_FALSE(direct);
  REQUIRE(direct.failure() == Failure::unknown_command);

  REQUIRE(replicaof(r, permit_to(r, master_server.port())).ok());
  auto ok = verify_role(r, ExpectedRole::replica_of("127.0.0.1", master_server.port()));
  REQUIRE(ok);
  CHECK(ok.value());
  REQUIRE(replicaof_no_one(r).ok());
  auto master = verify_role(r, ExpectedRole::master());
  REQUIRE(master);
  CHECK(master.value());
}

TEST_CASE("kill_clients_except_redkeep drops clients, spares redkeep-* and replication",
          "[redis][ops][clients]") {
  RedisServer master_server;
  RedisServer replica_server;
  auto ops = must_connect(master_server, "redkeep-role");
  auto ours = must_connect(master_server, "redkeep-x");
  auto app = must_connect(master_server, "app-writer");
  auto anonymous = must_connect(master_server, "");
  auto replica_ops = must_connect(replica_server, "redkeep-role");
  REQUIRE(replicaof(replica_ops, permit_to(replica_ops, master_server.port())).ok());
  REQUIRE(eventually([&] { return link_connected(replica_ops); }));
  // The master lists the replica only once it is online (after its first REPLCONF ACK).
  auto master_lists_replica = [&] {
    auto mr = role(ops);
    return mr && mr.value().replicas.size() == 1;
  };
  REQUIRE(eventually(master_lists_replica));

  auto killed = kill_clients_except_redkeep(ops);
  REQUIRE(killed);
  CHECK(killed.value() == 2);
  auto app_ping = ping(app);
  REQUIRE_FALSE(app_ping);
  CHECK(app_ping.failure() == Failure::closed);
  CHECK_FALSE(ping(anonymous).ok());
  CHECK(ping(ours).ok());
  CHECK(ping(ops).ok());

  // On the replica, the link to its master (flags M) is spared too: nothing to kill.
  auto on_replica = kill_clients_except_redkeep(replica_ops);
  REQUIRE(on_replica);
  CHECK(on_replica.value() == 0);
  CHECK(link_connected(replica_ops));
  CHECK(master_lists_replica());  // the replica's link (flags S) on the master survived
}

TEST_CASE("config_set changes a parameter, and a bad one is an error reply", "[redis][ops]") {
  RedisServer server;
  auto c = must_connect(server);
  REQUIRE(config_set(c, "replica-serve-stale-data", "no").ok());
  auto got = c.command({"CONFIG", "GET", "replica-serve-stale-data"});
  REQUIRE(got);
  REQUIRE(got.value().elements.size() == 2);
  CHECK(got.value().elements[1].str == "no");
  auto bad = config_set(c, "no-such-parameter", "1");
  REQUIRE_FALSE(bad);
  CHECK(bad.failure() == Failure::other);
}

TEST_CASE("set_min_replicas: a master without enough replicas refuses writes with NOREPLICAS",
          "[redis][ops]") {
  RedisServer server;
  auto c = must_connect(server);
  REQUIRE(c.command({"SET", "before", "1"}));
  REQUIRE(set_min_replicas(c, 1, 2).ok());
  auto got = c.command({"CONFIG", "GET", "min-replicas-*"});
  REQUIRE(got);
  std::map<std::string, std::string> params;
  for (std::size_t i = 0; i + 1 < got.value().elements.size(); i += 2) {
    params[got.value().elements[i].str] = got.value().elements[i + 1].str;
  }
  CHECK(params["min-replicas-to-write"] == "1");
  CHECK(params["min-replicas-max-lag"] == "2");
  auto refused = c.command({"SET", "after", "1"});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message.find("NOREPLICAS") != std::string::npos);
  REQUIRE(set_min_replicas(c, 0, 10).ok());
  CHECK(c.command({"SET", "after", "1"}));
}

TEST_CASE("sample_keys takes at most max names, count_existing counts them on another Redis",
          "[redis][ops]") {
  RedisServer a;
  RedisServer b;
  auto ca = must_connect(a);
  auto cb = must_connect(b);
  REQUIRE(ca.command({"EVAL", "for i=1,500 do redis.call('SET','k'..i,i) end", "0"}));
  REQUIRE(cb.command({"EVAL", "for i=1,250 do redis.call('SET','k'..i,i) end", "0"}));
  auto all = sample_keys(cb, 1000);
  REQUIRE(all);
  CHECK(all.value().size() == 250);
  auto sample = sample_keys(ca, 64);
  REQUIRE(sample);
  REQUIRE(sample.value().size() == 64);
  auto on_a = count_existing(ca, sample.value());
  REQUIRE(on_a);
  CHECK(on_a.value() == 64);
  auto in_b = count_existing(cb, all.value());
  REQUIRE(in_b);
  CHECK(in_b.value() == 250);
  auto none = count_existing(cb, {"nope1", "nope2"});
  REQUIRE(none);
  CHECK(none.value() == 0);
  auto empty = count_existing(cb, {});
  REQUIRE(empty);
  CHECK(empty.value() == 0);
}

TEST_CASE("a replica of an unreachable master with stale data off answers MASTERDOWN",
          "[redis][ops]") {
  RedisServer::Options options;
  options.extra_args = {"--replica-serve-stale-data", "no"};
  RedisServer server(options);
  RedisServer gone;  // its port, with nothing listening once killed
  gone.kill9();
  auto c = must_connect(server);
  REQUIRE(replicaof(c, permit_to(c, gone.port())).ok());
  auto r = c.command({"GET", "k"});
  REQUIRE_FALSE(r);
  CHECK(r.failure() == Failure::masterdown);
  // Redis 7.0 refuses even PING there (PING lacks the "stale" flag): a health check must read
  // masterdown as "alive". INFO and ROLE are still served.
  auto p = ping(c);
  REQUIRE_FALSE(p);
  CHECK(p.failure() == Failure::masterdown);
  CHECK(role(c));
  CHECK(redkeep::redis::info(c, {"replication"}));
}

TEST_CASE("an ACL user without REPLICAOF gets noperm, without a SLAVEOF retry", "[redis][ops]") {
  RedisServer server;
  auto admin = must_connect(server);
  REQUIRE(admin.command({"ACL", "SETUSER", "limited", "on", ">lim-pw", "~*", "+@all",
                         "-replicaof", "-slaveof"}));
  auto c = connect(server, "redkeep-role", 1000ms, std::string("limited"), std::string("lim-pw"));
  REQUIRE(c);
  auto r = replicaof_no_one(c.value());
  REQUIRE_FALSE(r);
  CHECK(r.failure() == Failure::noperm);
  CHECK(r.error().message.find("replicaof") != std::string::npos);
}

TEST_CASE("the ACL listed in redis/README.md is enough for every operation", "[redis][ops]") {
  RedisServer server;
  auto admin = must_connect(server);
  // Keep in sync with redis/README.md.
  REQUIRE(admin.command({"ACL", "SETUSER", "redkeep", "reset", "on", ">rk-pw", "-@all", "+ping",
                         "+info", "+role", "+replicaof", "+slaveof", "+client|setname",
                         "+client|list", "+client|kill", "+client|pause", "+client|unpause",
                         "+config|set", "+config|get", "+scan", "+exists", "+select", "~*"}));
  auto c = connect(server, "redkeep-role", 1000ms, std::string("redkeep"), std::string("rk-pw"));
  REQUIRE(c);
  Connection& conn = c.value();
  CHECK(ping(conn).ok());
  CHECK(redkeep::redis::info(conn, {"replication", "server", "persistence"}));
  CHECK(role(conn));
  CHECK(kill_clients_except_redkeep(conn));
  CHECK(pause_writes(conn, std::chrono::milliseconds(1000)).ok());
  CHECK(unpause(conn).ok());
  CHECK(config_set(conn, "replica-serve-stale-data", "yes").ok());
  CHECK(set_min_replicas(conn, 0, 10).ok());
  auto priority = config_get(conn, "replica-priority");
  REQUIRE(priority);
  CHECK(priority.value() == std::optional<std::string>("100"));
  CHECK(set_masterauth(conn, "pw", std::nullopt).ok());
  CHECK(select_db(conn, 1).ok());
  CHECK(sample_keys(conn, 10));
  CHECK(count_existing(conn, {"k"}));
  CHECK(select_db(conn, 0).ok());
  RedisServer gone;
  gone.kill9();
  CHECK(replicaof_nowhere(conn).ok());
  CHECK(replicaof_no_one(conn).ok());
  auto get = conn.command({"GET", "k"});  // data commands are not granted
  REQUIRE_FALSE(get);
  CHECK(get.failure() == Failure::noperm);
}
