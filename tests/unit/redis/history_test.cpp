#include "redis/history.hpp"

#include <catch2/catch.hpp>

using namespace redkeep::redis;

namespace {
const std::string kA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const std::string kB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const std::string kNone = "0000000000000000000000000000000000000000";

/// INFO replication/keyspace/persistence as Redis 7.0 prints them.
InfoSections info(const std::string& replid, const std::string& replid2, long offset,
                  const std::string& keyspace, long loaded, long second_offset = -1) {
  return parse_info("# Replication\r\nrole:master\r\nmaster_replid:" + replid +
                    "\r\nmaster_replid2:" + replid2 + "\r\nmaster_repl_offset:" +
                    std::to_string(offset) + "\r\nsecond_repl_offset:" +
                    std::to_string(second_offset) + "\r\n\r\n# Persistence\r\nloading:0\r\n"
                    "rdb_last_load_keys_loaded:" + std::to_string(loaded) +
                    "\r\n\r\n# Keyspace\r\n" + keyspace);
}
}  // namespace

TEST_CASE("key_count and databases_with_keys read INFO keyspace", "[redis][history]") {
  auto i = info(kA, kNone, 10, "db0:keys=3,expires=0,avg_ttl=0\r\ndb12:keys=5,expires=1,"
                "avg_ttl=0\r\ndb2:keys=0,expires=0,avg_ttl=0\r\n", 0);
  CHECK(key_count(i) == 8);
  CHECK(databases_with_keys(i) == std::vector<int>{0, 12});
  CHECK(key_count(info(kA, kNone, 0, "", 0)) == 0);
  CHECK(databases_with_keys(info(kA, kNone, 0, "", 0)).empty());
}

TEST_CASE("writes_discarded: bytes an old master took after the new one continued its history",
          "[redis][history]") {
  auto old_master = info(kA, kNone, 5000, "", 0);
  auto new_master = info(kB, kA, 7000, "", 0, 4001);  // continued from offset 4000
  CHECK(writes_discarded(old_master, new_master).find("it took 1000 bytes of replication stream") !=
        std::string::npos);
  auto caught_up = info(kB, kA, 7000, "", 0, 5001);
  CHECK(writes_discarded(old_master, caught_up) == "; it took no writes the new master lacks");
  auto other = info(kB, kNone, 7000, "", 0);
  CHECK(writes_discarded(old_master, other).find("is not the new master's") != std::string::npos);
}

TEST_CASE("history_contains: the stream of one is a prefix of the other's",
          "[redis][history][cut_off]") {
  const auto repl = [](const std::string& replid, const std::string& replid2, long offset,
                       long second = -1) {
    return parse_replication_info(info(replid, replid2, offset, "", 0, second));
  };
  // The master that kept serving (history A up to 5000) and the replica it lost at 3000,
  // promoted on its island (new id B, A kept as replid2 up to 3000).
  const auto served = repl(kA, kNone, 5000);
  const auto island_idle = repl(kB, kA, 3000, 3001);
  CHECK(history_contains(served, island_idle));  // the island took nothing
  CHECK_FALSE(history_contains(island_idle, served));
  // The island took writes: neither contains the other.
  const auto island_wrote = repl(kB, kA, 3400, 3001);
  CHECK_FALSE(history_contains(served, island_wrote));
  CHECK_FALSE(history_contains(island_wrote, served));
  // The other way round: the cut-off master took nothing after 3000, the node that took
  // over (promoted at 3000) continued with writes.
  const auto cut_master = repl(kA, kNone, 3000);
  const auto taker = repl(kB, kA, 4200, 3001);
  CHECK(history_contains(taker, cut_master));
  CHECK_FALSE(history_contains(cut_master, taker));
  // A cut-off master that went on past the branch point is not contained.
  CHECK_FALSE(history_contains(taker, repl(kA, kNone, 3100)));
  // Same history, one ahead.
  CHECK(history_contains(repl(kA, kNone, 10), repl(kA, kNone, 10)));
  CHECK(history_contains(repl(kA, kNone, 11), repl(kA, kNone, 10)));
  CHECK_FALSE(history_contains(repl(kA, kNone, 10), repl(kA, kNone, 11)));
  // Unknown ids or offsets decide nothing.
  CHECK_FALSE(history_contains(served, repl(kNone, kNone, 0)));
}

TEST_CASE("floor_tie_outcome: a comparison with a lagging member restores nothing, and when neither "
          "history contains the other, the Master that kept replicas wins",
          "[redis][history][cut_off]") {
  const auto repl = [](const std::string& replid, const std::string& replid2, long offset,
                       long second, int replicas) {
    auto r = parse_replication_info(info(replid, replid2, offset, "", 0, second));
    for (int i = 0; i < replicas; ++i)
      r.replicas.push_back({i, "192.0.2.13", 6379, "online", offset, 0});
    return r;
  };
  const std::string kC = "cccccccccccccccccccccccccccccccccccccccc";
  // The island node: replica of history A up to 3000, promoted alone (B), took writes.
  const auto island = repl(kB, kA, 3400, 3001, 0);
  // The Master the cluster continued on was a replica that lagged (A up to 2500 only), was
  // promoted (C) and took writes with a replica following it: the island's history is ahead on
  // A, yet that decides nothing, and the island concedes to the Master that kept members.
  const auto lagging_taker = repl(kC, kA, 2900, 2501, 1);
  CHECK(floor_tie_outcome(island, lagging_taker) == FloorTie::theirs);
  CHECK(floor_tie_outcome(lagging_taker, island) == FloorTie::ours);
  // The same lagging Master without a replica: nothing decides but the address.
  const auto lagging_alone = repl(kC, kA, 2900, 2501, 0);
  CHECK(floor_tie_outcome(island, lagging_alone) == FloorTie::address);
  // A lagging member that took nothing since its promotion is contained: the island keeps
  // nothing it would lose by winning, and the other loses nothing.
  const auto lagging_idle = repl(kC, kA, 2500, 2501, 0);
  CHECK(floor_tie_outcome(island, lagging_idle) == FloorTie::ours);
  CHECK(floor_tie_outcome(lagging_idle, island) == FloorTie::theirs);
  // A replica the lagging Master lost long ago (INFO keeps it "online" until repl-timeout, no
  // ACK for 30 s) is no member kept.
  auto stale = lagging_taker;
  stale.replicas.front().lag = 30;
  CHECK(floor_tie_outcome(island, stale) == FloorTie::address);
  // A contained history wins over replicas: the replicas of the contained one re-sync.
  CHECK(floor_tie_outcome(repl(kA, kNone, 5000, -1, 0), repl(kA, kNone, 4000, -1, 2)) ==
        FloorTie::ours);
}

TEST_CASE("floor_tie_by_keys: the side holding every sampled key of the other, while the other "
          "lacks some of its own, wins",
          "[redis][history][cut_off]") {
  // The island only expired keys: all of its keys are on the serving side, which took writes.
  CHECK(floor_tie_by_keys({64, 0}, {64, 12}) == FloorTie::theirs);
  CHECK(floor_tie_by_keys({64, 12}, {64, 0}) == FloorTie::ours);
  // An empty island loses to a side with keys.
  CHECK(floor_tie_by_keys({0, 0}, {64, 64}) == FloorTie::theirs);
  // Each lacks some of the other's (both took writes), or neither lacks anything: the address.
  CHECK(floor_tie_by_keys({64, 3}, {64, 5}) == FloorTie::address);
  CHECK(floor_tie_by_keys({64, 0}, {64, 0}) == FloorTie::address);
}

TEST_CASE("floor_tie_outcome: when neither history contains the other and neither kept a "
          "replica, the side that took more bytes since the fork wins",
          "[redis][history][cut_off]") {
  const auto repl = [](const std::string& replid, const std::string& replid2, long offset,
                       long second) {
    return parse_replication_info(info(replid, replid2, offset, "", 0, second));
  };
  // The serving side continued history A to 37945; the island was promoted from A at 18000
  // (B) and wrote only the DELs of keys that expired: 98 bytes.
  const auto served = repl(kA, kNone, 37945, -1);
  const auto island = repl(kB, kA, 18098, 18001);
  REQUIRE(bytes_since_fork(served, island) == std::pair<std::int64_t, std::int64_t>{19945, 98});
  CHECK(floor_tie_outcome(served, island) == FloorTie::ours);
  CHECK(floor_tie_outcome(island, served) == FloorTie::theirs);
  // Both promoted from A, each at its own point.
  const std::string kC = "cccccccccccccccccccccccccccccccccccccccc";
  const auto other_island = repl(kC, kA, 20500, 17001);
  REQUIRE(bytes_since_fork(island, other_island) ==
          std::pair<std::int64_t, std::int64_t>{98, 3500});
  CHECK(floor_tie_outcome(island, other_island) == FloorTie::theirs);
  // Unrelated histories: no fork point, nothing decides here.
  CHECK_FALSE(bytes_since_fork(served, repl(kC, kNone, 50, -1)));
  CHECK(floor_tie_outcome(served, repl(kC, kNone, 50, -1)) == FloorTie::address);
}

TEST_CASE("describe_floor_tie and describe_key_samples: the log text of a floor tie",
          "[redis][history][cut_off]") {
  auto served = parse_replication_info(info(kA, kNone, 37945, "", 0));
  served.replicas.push_back({0, "192.0.2.13", 6379, "online", 37945, 0});
  const auto island = parse_replication_info(info(kB, kA, 18098, "", 0, 18001));
  CHECK(describe_floor_tie(island, served) ==
        "ours bbbbbbbb at 18098 with 0 replicas following, theirs aaaaaaaa at 37945 with 1 "
        "replicas following; since the fork ours took 98 bytes, theirs 19945");
  CHECK(describe_key_samples({64, 0}, {64, 12}) ==
        "keys: 0 of 64 of ours missing there, 12 of 64 of theirs missing here");
}
