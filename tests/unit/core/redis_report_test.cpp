#include "core/redis_report.hpp"

#include <catch2/catch.hpp>

#include "../redis/fixtures.hpp"

using namespace redkeep;
using redkeep::redis::testing::read_fixture;

namespace {

core::RedisHealth report_of(const std::string& info_text) {
  return core::report_from_info(redis::parse_replication_info(info_text),
                                redis::parse_server_info(info_text));
}

}  // namespace

TEST_CASE("a master's INFO becomes a report: role, ids, offset, its replica following",
          "[core][redis_report]") {
  const auto r = report_of(read_fixture("info_master.txt"));
  CHECK(r.role == redis::InfoRole::master);
  CHECK(core::info_role_word(r.role) == std::string("master"));
  CHECK(r.run_id == "c7fc7d3b2cce764a63d72e06288f966181bd4226");
  CHECK(r.replid == "f1e2980ae45f95e603f4a3d827cc7485ea2b4fe6");
  CHECK(r.repl_offset == 64);
  CHECK(r.connected_replicas == 1);
  CHECK(r.replicas_following == 1);
  CHECK(r.replicas_syncing == 0);
  CHECK_FALSE(r.master_link_status);
  CHECK_FALSE(r.healthy);  // health is the caller's to set
}

TEST_CASE("a replica's INFO becomes a report: its master and link", "[core][redis_report]") {
  const auto up = report_of(read_fixture("info_replica.txt"));
  CHECK(up.role == redis::InfoRole::replica);
  CHECK(core::info_role_word(up.role) == std::string("slave"));
  CHECK(up.master_host == "127.0.0.1");
  CHECK(up.master_link_status == redis::LinkStatus::up);
  CHECK_FALSE(core::compares_with_fellows(up, false));
  CHECK(core::compares_with_fellows(up, true));
  const auto down = report_of(read_fixture("info_replica_link_down.txt"));
  CHECK(down.master_link_status == redis::LinkStatus::down);
  CHECK(core::compares_with_fellows(down, false));
  // Replication lag as replica: master_last_io_seconds_ago; -1 (no I/O yet) is not a lag.
  CHECK(up.replication_lag_s == 7);
  CHECK_FALSE(down.replication_lag_s.has_value());
}

TEST_CASE(
    "replicas silent for more than 3 s do not count as connected, syncing ones are "
    "counted apart",
    "[core][redis_report]") {
  const auto r = report_of(
      "# Replication\r\nrole:master\r\nconnected_slaves:3\r\n"
      "slave0:ip=192.0.2.12,port=6379,state=online,offset=90,lag=5\r\n"
      "slave1:ip=192.0.2.13,port=6379,state=online,offset=100,lag=3\r\n"
      "slave2:ip=192.0.2.14,port=6379,state=wait_bgsave,offset=0,lag=0\r\n"
      "master_replid:aaaa\r\nmaster_repl_offset:100\r\n");
  CHECK(r.connected_replicas == 1);  // lag 3: yes; lag 5: gone
  CHECK(r.replicas_syncing == 1);
  CHECK(r.replicas_silent_s == 3);
  CHECK(r.replicas_following == 0);  // neither ACKed within the last second
  CHECK(r.replication_lag_s == 5);   // as master: the online replica furthest behind
}

TEST_CASE("a fellow replica is ahead only in the same history and with a larger offset",
          "[core][redis_report]") {
  redis::ReplicationInfo fellow;
  fellow.master_replid = "aaaa";
  fellow.master_replid2 = "bbbb";
  fellow.master_repl_offset = 200;
  CHECK(core::fellow_ahead(fellow, "aaaa", 100));
  CHECK(core::fellow_ahead(fellow, "bbbb", 100));  // promoted meanwhile
  CHECK_FALSE(core::fellow_ahead(fellow, "aaaa", 200));
  CHECK_FALSE(core::fellow_ahead(fellow, "cccc", 100));
  CHECK_FALSE(core::fellow_ahead(fellow, "", 100));
  fellow.master_repl_offset.reset();
  CHECK_FALSE(core::fellow_ahead(fellow, "aaaa", 100));
}

TEST_CASE("members are other nodes' Redis at IPv4 or IPv6 addresses, never this node's own, "
          "loopback or link-local",
          "[core][redis_report]") {
  const auto self = *net::IpAddress::parse("192.0.2.11");
  const auto member = core::member_endpoint("192.0.2.12", 6379, self, 6379);
  REQUIRE(member);
  CHECK(member->address == *net::IpAddress::parse("192.0.2.12"));
  CHECK(member->port == 6379);
  CHECK(core::member_endpoint("192.0.2.11", 6380, self, 6379));  // another Redis on this node
  CHECK_FALSE(core::member_endpoint("192.0.2.11", 6379, self, 6379));
  CHECK_FALSE(core::member_endpoint("127.0.0.1", 6379, self, 6379));
  CHECK_FALSE(core::member_endpoint("redis.example", 6379, self, 6379));
  CHECK(core::member_endpoint("2001:db8::12", 6379, self, 6379));
  CHECK_FALSE(core::member_endpoint("::1", 6379, self, 6379));
  CHECK_FALSE(core::member_endpoint("fe80::12", 6379, self, 6379));
  const auto self6 = *net::IpAddress::parse("2001:db8::11");
  CHECK_FALSE(core::member_endpoint("2001:db8::11", 6379, self6, 6379));
  CHECK_FALSE(core::member_endpoint("192.0.2.12", 0, self, 6379));
  CHECK_FALSE(core::member_endpoint("192.0.2.12", 65536, self, 6379));
}

TEST_CASE("a restart with data is resolved once promoted or synced, not as a replica of nowhere",
          "[core][redis_report]") {
  core::RedisHealth r;
  r.role = redis::InfoRole::replica;
  r.master_host = "127.0.0.1";
  r.master_port = 1;
  r.master_link_status = redis::LinkStatus::up;  // whatever INFO says, nowhere is no master
  CHECK(core::replica_of_nowhere(r));
  CHECK_FALSE(core::restart_resolved(r));
  r.master_host = "192.0.2.12";
  r.master_port = 6379;
  CHECK_FALSE(core::replica_of_nowhere(r));
  CHECK(core::restart_resolved(r));
  r.sync_in_progress = true;
  CHECK_FALSE(core::restart_resolved(r));
  r.role = redis::InfoRole::master;
  CHECK(core::restart_resolved(r));
}

TEST_CASE("a cold-start round out of time keeps the last finding of a member it did not ask",
          "[core][redis_report]") {
  const std::vector<core::MemberData> last{{"192.0.2.12:6379", redis::DataOrder::same, "x"}};
  std::vector<core::MemberData> compared;
  std::vector<std::string> missing;
  core::carry_over("192.0.2.12:6379", last, compared, missing);
  core::carry_over("192.0.2.13:6379", last, compared, missing);
  REQUIRE(compared.size() == 1);
  CHECK(compared[0].order == redis::DataOrder::same);
  CHECK(missing == std::vector<std::string>{"192.0.2.13:6379 (not asked yet)"});
}
