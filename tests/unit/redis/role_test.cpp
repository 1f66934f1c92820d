#include "redis/role.hpp"

#include <catch2/catch.hpp>

#include "tests/unit/redis/fixtures.hpp"

using namespace redkeep::redis;
using redkeep::redis::testing::decode_resp;
using redkeep::redis::testing::read_fixture;

TEST_CASE("parse_role reads a real master ROLE reply", "[redis][role]") {
  const auto role = parse_role(decode_resp(read_fixture("role_master.resp")));
  REQUIRE(role);
  CHECK(role->kind == Role::Kind::master);
  CHECK(role->offset == 64);
  REQUIRE(role->replicas.size() == 1);
  CHECK(role->replicas[0].ip == "127.0.0.1");
  CHECK(role->replicas[0].port == 26392);  // sent as the string "26392"
  CHECK(role->replicas[0].offset == 64);
}

TEST_CASE("parse_role reads real replica ROLE replies", "[redis][role]") {
  const auto up = parse_role(decode_resp(read_fixture("role_replica.resp")));
  REQUIRE(up);
  CHECK(up->kind == Role::Kind::replica);
  CHECK(up->master_host == "127.0.0.1");
  CHECK(up->master_port == 26391);
  CHECK(up->link_state == "connected");
  CHECK(up->link() == ReplicaLinkState::connected);
  CHECK(up->offset == 64);

  const auto down = parse_role(decode_resp(read_fixture("role_replica_link_down.resp")));
  REQUIRE(down);
  CHECK(down->link() == ReplicaLinkState::connect);
  CHECK(down->offset == -1);
}

TEST_CASE("parse_role handles sentinel, link states and malformed replies", "[redis][role]") {
  using R = Reply;
  const auto sentinel = parse_role(R::make_array(
      {R::make_string("sentinel"), R::make_array({R::make_string("mymaster")})}));
  REQUIRE(sentinel);
  CHECK(sentinel->kind == Role::Kind::sentinel);
  CHECK(sentinel->sentinel_masters == std::vector<std::string>{"mymaster"});

  for (auto [text, state] : {std::pair{"connecting", ReplicaLinkState::connecting},
                             {"handshake", ReplicaLinkState::handshake},
                             {"sync", ReplicaLinkState::sync},
                             {"none", ReplicaLinkState::none},
                             {"weird", ReplicaLinkState::unknown}}) {
    CHECK(parse_link_state(text) == state);
  }

  const auto master_no_replicas =
      parse_role(R::make_array({R::make_string("master"), R::make_integer(0), R::make_array({})}));
  REQUIRE(master_no_replicas);
  CHECK(master_no_replicas->replicas.empty());

  CHECK_FALSE(parse_role(R::make_error("NOPERM this user has no permissions")));
  CHECK_FALSE(parse_role(R::make_nil()));
  CHECK_FALSE(parse_role(R::make_array({})));
  CHECK_FALSE(parse_role(R::make_array({R::make_integer(1)})));
  CHECK_FALSE(parse_role(R::make_array({R::make_string("boss"), R::make_integer(0)})));
  // master with a replica entry missing its offset
  CHECK_FALSE(parse_role(R::make_array(
      {R::make_string("master"), R::make_integer(5),
       R::make_array({R::make_array({R::make_string("10.0.0.1"), R::make_string("6379")})})})));
  // replica with a non-numeric port
  CHECK_FALSE(parse_role(R::make_array({R::make_string("slave"), R::make_string("h"),
                                        R::make_string("port"), R::make_string("connected"),
                                        R::make_integer(1)})));
  // replica with too few elements
  CHECK_FALSE(parse_role(
      R::make_array({R::make_string("slave"), R::make_string("h"), R::make_integer(1)})));
}
