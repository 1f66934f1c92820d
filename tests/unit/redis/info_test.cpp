#include "redis/info.hpp"

#include <catch2/catch.hpp>

#include "tests/unit/redis/fixtures.hpp"

using namespace redkeep::redis;
using redkeep::redis::testing::read_fixture;

TEST_CASE("parse_info splits a real INFO into sections and fields", "[redis][info]") {
  const auto info = parse_info(read_fixture("info_master.txt"));
  REQUIRE(info.count("server") == 1);
  REQUIRE(info.count("replication") == 1);
  CHECK(info.at("server").at("redis_version") == "7.0.15");
  // Values keep everything after the first ':' and lose the CR.
  CHECK(info.at("server").at("executable") == "/tmp/rcap/redis-server");
  CHECK(info.at("server").at("config_file").empty());
  CHECK(info.at("replication").at("role") == "master");
  CHECK(info.count("keyspace") == 1);
}

TEST_CASE("ReplicationInfo of a real master with one replica", "[redis][info]") {
  const auto r = parse_replication_info(read_fixture("info_master.txt"));
  CHECK(r.role == InfoRole::master);
  CHECK(r.connected_slaves == 1);
  REQUIRE(r.replicas.size() == 1);
  CHECK(r.replicas[0].index == 0);
  CHECK(r.replicas[0].ip == "127.0.0.1");
  CHECK(r.replicas[0].port == 26392);
  CHECK(r.replicas[0].state == "online");
  CHECK(r.replicas[0].offset == 64);
  CHECK(r.replicas[0].lag == 0);
  CHECK(r.master_replid == "f1e2980ae45f95e603f4a3d827cc7485ea2b4fe6");
  CHECK(r.master_replid2 == "0000000000000000000000000000000000000000");
  CHECK(r.master_repl_offset == 64);
  CHECK(r.second_repl_offset == -1);
  CHECK_FALSE(r.master_host);
  CHECK_FALSE(r.master_link_status);
  CHECK_FALSE(r.slave_repl_offset);
}

TEST_CASE("ReplicationInfo of a real replica, link up then down", "[redis][info]") {
  const auto up = parse_replication_info(read_fixture("info_replica.txt"));
  CHECK(up.role == InfoRole::replica);
  CHECK(up.master_host == std::string("127.0.0.1"));
  CHECK(up.master_port == 26391);
  CHECK(up.master_link_status == LinkStatus::up);
  CHECK(up.master_sync_in_progress == false);
  CHECK(up.master_last_io_seconds_ago == 7);
  CHECK(up.slave_repl_offset == 64);
  CHECK(up.slave_read_repl_offset == 64);
  CHECK(up.connected_slaves == 0);
  CHECK(up.replicas.empty());
  CHECK_FALSE(up.master_link_down_since_seconds);

  const auto down = parse_replication_info(read_fixture("info_replica_link_down.txt"));
  CHECK(down.role == InfoRole::replica);
  CHECK(down.master_link_status == LinkStatus::down);
  CHECK(down.master_last_io_seconds_ago == -1);
  CHECK(down.master_link_down_since_seconds == 2);
  CHECK(down.slave_repl_offset == 78);
}

TEST_CASE("ReplicationInfo of a promoted replica keeps the old replication id", "[redis][info]") {
  const auto r = parse_replication_info(read_fixture("info_promoted_master.txt"));
  CHECK(r.role == InfoRole::master);
  CHECK(r.master_replid == "04ff3c9104b7070df3c671863408bf999500614c");
  CHECK(r.master_replid2 == "f1e2980ae45f95e603f4a3d827cc7485ea2b4fe6");
  CHECK(r.master_repl_offset == 78);
  CHECK(r.second_repl_offset == 79);
}

TEST_CASE("ServerInfo and PersistenceInfo from a real INFO", "[redis][info]") {
  const auto text = read_fixture("info_replica.txt");
  const auto s = parse_server_info(text);
  CHECK(s.run_id == "ae5c24a1b32fbdc286d4860832a3d060fba24fea");
  CHECK(s.redis_version == "7.0.15");
  CHECK(s.uptime_in_seconds == 17);
  CHECK(s.tcp_port == 26392);
  const auto p = parse_persistence_info(text);
  CHECK(p.loading == false);
  CHECK(p.async_loading == false);
  CHECK(p.rdb_last_load_keys_loaded == 1);
  CHECK(p.aof_enabled == false);
  CHECK(p.rdb_last_save_time == 1795985386);
}

TEST_CASE("INFO parsing tolerates LF, missing, unknown and garbage fields", "[redis][info]") {
  SECTION("LF only, no section header, unknown fields") {
    const auto r = parse_replication_info(
        "role:slave\nmaster_host:2001:db8::1\nmaster_port:6379\nfuture_field:x\n"
        "master_link_status:sideways\nslave_repl_offset:12");
    CHECK(r.role == InfoRole::replica);
    CHECK(r.master_host == std::string("2001:db8::1"));
    CHECK(r.master_port == 6379);
    CHECK_FALSE(r.master_link_status);  // neither "up" nor "down"
    CHECK(r.slave_repl_offset == 12);
  }
  SECTION("missing fields stay unset") {
    const auto r = parse_replication_info("# Replication\r\nrole:master\r\n");
    CHECK(r.role == InfoRole::master);
    CHECK_FALSE(r.connected_slaves);
    CHECK_FALSE(r.master_repl_offset);
    CHECK(r.master_replid.empty());
    const auto p = parse_persistence_info("# Persistence\r\nloading:1\r\n");
    CHECK(p.loading == true);
    CHECK_FALSE(p.rdb_last_load_keys_loaded);
  }
  SECTION("garbage values are not guessed") {
    const auto r = parse_replication_info(
        "role:primary\r\nmaster_port:99999\r\nconnected_slaves:two\r\n"
        "master_repl_offset:99999999999999999999999\r\nslave0:junk\r\n"
        "slave1:ip=10.0.0.1,port=6380,state=online,offset=x\r\nslave_priority:100\r\n");
    CHECK(r.role == InfoRole::unknown);
    CHECK_FALSE(r.master_port);
    CHECK_FALSE(r.connected_slaves);
    CHECK_FALSE(r.master_repl_offset);
    REQUIRE(r.replicas.size() == 1);  // slave0 dropped, slave_priority not a replica line
    CHECK(r.replicas[0].index == 1);
    CHECK(r.replicas[0].offset == 0);
    CHECK_FALSE(r.replicas[0].lag);
    const auto p = parse_persistence_info("loading:2\r\naof_enabled:\r\n");
    CHECK_FALSE(p.loading);
    CHECK_FALSE(p.aof_enabled);
  }
  SECTION("binary junk and empty input never throw") {
    CHECK(parse_info("").empty());
    std::string junk;
    for (int i = 0; i < 512; ++i) junk.push_back(static_cast<char>((i * 37) % 256));
    CHECK_NOTHROW(parse_replication_info(junk));
    CHECK_NOTHROW(parse_server_info(std::string_view(":\n#\n::\n\r\n# \n")));
    CHECK(parse_server_info(std::string_view("::\n")).run_id.empty());
  }
  SECTION("replica lines sort by index and the old ip,port,state form is read") {
    const auto r = parse_replication_info(
        "slave10:ip=10.0.0.3,port=1,state=online,offset=3,lag=1\n"
        "slave2:10.0.0.2,6380,online\n");
    REQUIRE(r.replicas.size() == 2);
    CHECK(r.replicas[0].index == 2);
    CHECK(r.replicas[0].ip == "10.0.0.2");
    CHECK(r.replicas[0].port == 6380);
    CHECK(r.replicas[1].index == 10);
    CHECK(r.replicas[1].lag == 1);
  }
}
