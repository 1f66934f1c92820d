#include "redis/client_list.hpp"

#include <catch2/catch.hpp>

#include "tests/unit/redis/fixtures.hpp"

using namespace redkeep::redis;
using redkeep::redis::testing::read_fixture;

TEST_CASE("CLIENT LIST of a real master: spare redkeep and the replica", "[redis][clients]") {
  const auto clients = parse_client_list(read_fixture("client_list_master.txt"));
  REQUIRE(clients.size() == 6);
  CHECK(clients[0].id == 3);
  CHECK(clients[0].flags == "S");
  CHECK(clients[0].addr == "127.0.0.1:52794");
  CHECK(clients[1].name == "redkeep-health");
  CHECK(clients[2].name == "app-writer");
  CHECK(clients[3].name.empty());
  // app-writer, the unnamed client, the subscriber (flags=P) and the capturing client.
  CHECK(client_ids_to_kill(clients) == std::vector<std::uint64_t>{11, 12, 13, 14});
}

TEST_CASE("CLIENT LIST of a real replica: spare the master link", "[redis][clients]") {
  const auto clients = parse_client_list(read_fixture("client_list_replica.txt"));
  REQUIRE(clients.size() == 2);
  CHECK(clients[0].flags == "M");
  CHECK(client_ids_to_kill(clients) == std::vector<std::uint64_t>{10});
}

TEST_CASE("CLIENT LIST parsing is robust", "[redis][clients]") {
  CHECK(parse_client_list("").empty());
  CHECK(parse_client_list("garbage\n\n==\nid=abc name=x\nid=0 flags=N\n").empty());
  const auto c = parse_client_list(
      "id=7 addr=[::1]:5000 name=redkeep flags=N\r\nid=8 name=redkeep-role flags=N extra\r\n"
      "id=9 name=xredkeep-a flags=Nb\r\nid=10 flags=O\r\n");
  REQUIRE(c.size() == 4);
  CHECK(c[0].addr == "[::1]:5000");
  // "redkeep" without the dash is not ours; a monitor (O) is an ordinary client to drop.
  CHECK(client_ids_to_kill(c) == std::vector<std::uint64_t>{7, 9, 10});
}

TEST_CASE("watched_by_redkeep: a redkeep health connection is listed", "[redis][client_list]") {
  const auto watched = parse_client_list(
      "id=3 addr=127.0.0.1:40000 name=redkeep-health flags=N\n"
      "id=4 addr=192.0.2.50:50000 name= flags=N\n");
  CHECK(watched_by_redkeep(watched));
  // Another redkeep's probe is no watch of this Redis; nor is an application's name.
  const auto probed = parse_client_list(
      "id=5 addr=192.0.2.12:41000 name=redkeep-peer flags=N\n"
      "id=6 addr=192.0.2.50:50001 name=redkeep-healthy flags=N\n");
  CHECK_FALSE(watched_by_redkeep(probed));
}
