// The sync gate and the data comparison, on INFO text as Redis 7.0 prints it. What Redis
// itself restores after a restart is checked against redis-server in restart_facts_test.cpp.
#include "redis/sync_gate.hpp"

#include <catch2/catch.hpp>

using namespace redkeep::redis;

namespace {
const std::string kA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const std::string kB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const std::string kC = "cccccccccccccccccccccccccccccccccccccccc";
const std::string kNone = "0000000000000000000000000000000000000000";

/// INFO replication/keyspace/persistence as Redis 7.0 prints them.
struct Side {
  std::string replid = kA;
  std::string replid2 = kNone;
  long offset = 0;
  long second_offset = -1;
  long keys = 0;
  long rdb_loaded = 0;
  bool aof = false;

  InfoSections info() const {
    return parse_info(
        "# Replication\r\nrole:master\r\nmaster_replid:" + replid + "\r\nmaster_replid2:" +
        replid2 + "\r\nmaster_repl_offset:" + std::to_string(offset) +
        "\r\nsecond_repl_offset:" + std::to_string(second_offset) +
        "\r\n\r\n# Persistence\r\nloading:0\r\nrdb_last_load_keys_loaded:" +
        std::to_string(rdb_loaded) + "\r\naof_enabled:" + (aof ? "1" : "0") +
        "\r\n\r\n# Keyspace\r\n" +
        (keys > 0 ? "db0:keys=" + std::to_string(keys) + ",expires=0,avg_ttl=0\r\n" : ""));
  }
};

SyncRequest request(const Side& mine, const Side& theirs, bool loaded = false) {
  SyncRequest r;
  r.mine = mine.info();
  r.theirs = theirs.info();
  r.loaded_data = loaded;
  r.parties = {"192.0.2.11", 6379, "192.0.2.13", 6379};
  return r;
}

const Result<KeySample> kAllThere = KeySample{64, 0};
const Result<KeySample> kSomeMissing = KeySample{64, 20};
}  // namespace

TEST_CASE("order_by_history: empty sides, contained histories, and where ids cannot decide",
          "[redis][sync_gate]") {
  const auto side = [](const Side& s) { return data_side(s.info()); };
  CHECK(order_by_history(side({}), side({})) == DataOrder::same);
  CHECK(order_by_history(side({kA, kNone, 0, -1, 0}), side({kB, kNone, 9, -1, 5})) ==
        DataOrder::theirs_newer);
  CHECK(order_by_history(side({kA, kNone, 9, -1, 5}), side({kB, kNone, 0, -1, 0})) ==
        DataOrder::ours_newer);
  // The same history at two offsets (a replica behind its master).
  CHECK(order_by_history(side({kA, kNone, 900, -1, 10}), side({kA, kNone, 500, -1, 5})) ==
        DataOrder::ours_newer);
  CHECK(order_by_history(side({kA, kNone, 500, -1, 5}), side({kA, kNone, 500, -1, 5})) ==
        DataOrder::same);
  // Restored from an RDB with replication info: the old id as replid2, took nothing since.
  const Side restored{kB, kA, 500, 501, 5, 5};
  CHECK(order_by_history(side(restored), side({kA, kNone, 900, -1, 10})) ==
        DataOrder::theirs_newer);
  // AOF (or an RDB without replication info): fresh ids at offset 0.
  CHECK_FALSE(order_by_history(side({kB, kNone, 0, -1, 1000, 0, true}),
                               side({kC, kNone, 0, -1, 500, 0, true})));
}

TEST_CASE("order_by_keys: newer holds all of the other's sample, diverged lacks some both ways",
          "[redis][sync_gate]") {
  CHECK(order_by_keys({64, 0}, {64, 0}) == DataOrder::same);
  CHECK(order_by_keys({64, 30}, {64, 0}) == DataOrder::ours_newer);
  CHECK(order_by_keys({64, 0}, {64, 30}) == DataOrder::theirs_newer);
  CHECK(order_by_keys({64, 3}, {64, 30}) == DataOrder::diverged);
  const Side a{kB, kNone, 0, -1, 1000, 0, true}, b{kC, kNone, 0, -1, 600, 0, true};
  CHECK(compare_data(data_side(a.info()), data_side(b.info()), std::nullopt, std::nullopt) ==
        DataOrder::unknown);
  const std::optional<Result<KeySample>> failed = Result<KeySample>(Error{Failure::loading, "x"});
  CHECK(compare_data(data_side(a.info()), data_side(b.info()), kAllThere, failed) ==
        DataOrder::unknown);
  CHECK(compare_data(data_side(a.info()), data_side(b.info()), kSomeMissing, kAllThere) ==
        DataOrder::ours_newer);
  // Nothing missing either way in the samples: the side with more keys is the newer (a stale
  // side lacking a few keys the samples did not hit).
  CHECK(compare_data(data_side(a.info()), data_side(b.info()), kAllThere, kAllThere) ==
        DataOrder::ours_newer);
  const Side twin{kC, kNone, 0, -1, 1000, 0, true};
  CHECK(compare_data(data_side(a.info()), data_side(twin.info()), kAllThere, kAllThere) ==
        DataOrder::same);
  // The ACL forbids SCAN/EXISTS: key counts.
  const std::optional<Result<KeySample>> noperm = Result<KeySample>(Error{Failure::noperm, "x"});
  CHECK(compare_data(data_side(b.info()), data_side(a.info()), noperm, noperm) ==
        DataOrder::theirs_newer);
}

TEST_CASE("sync gate: an empty Redis, or one whose history the master holds, follows at once",
          "[redis][sync_gate]") {
  SECTION("empty") {
    auto r = request({kA, kNone, 0, -1, 0}, {kB, kNone, 900, -1, 300});
    CHECK_FALSE(needs_key_samples(r));
    auto v = judge_sync(r);
    REQUIRE(v.permit);
    CHECK(v.permit->host() == "192.0.2.11");
    CHECK(v.permit->port() == 6379);
  }
  SECTION("shared history, the master ahead (a promoted fellow replica)") {
    auto r = request({kA, kNone, 50, -1, 201, 201}, {kB, kA, 900, 61, 300}, true);
    CHECK_FALSE(needs_key_samples(r));
    CHECK(judge_sync(r).permit);
  }
  SECTION("an empty Redis follows even an unreachable master") {
    auto r = request({kA, kNone, 0, -1, 0}, {});
    r.theirs.reset();
    CHECK(judge_sync(r).permit);
  }
}

TEST_CASE("rule sync_gate: data loaded from disk of another history is guarded by key samples",
          "[redis][sync_gate]") {
  // Loaded from an AOF: Redis 7.0 counts none of it in rdb_last_load_keys_loaded, so the gate
  // must not depend on that counter (the stale AOF node of a power loss would look unloaded).
  const Side aof{kA, kNone, 0, -1, 1000, 0, true};
  const Side stale_master{kB, kNone, 2000, -1, 600, 0, true};
  for (bool loaded : {true, false}) {
    INFO("loaded_data " << loaded);
    auto r = request(aof, stale_master, loaded);
    REQUIRE(needs_key_samples(r));
    SECTION("keys not sampled yet: refused") { CHECK_FALSE(judge_sync(r).permit); }
    SECTION("the master holds every sampled key (a leftover): permitted") {
      r.ours_there = kAllThere;
      r.theirs_here = kSomeMissing;
      CHECK_FALSE(judge_sync(r).permit);  // but fewer keys in all (600 against 1000)
      r.theirs = Side{kB, kNone, 2000, -1, 1200, 0, true}.info();
      CHECK(judge_sync(r).permit);
    }
    SECTION("the master lacks some: refused, both sides and both commands named") {
      r.ours_there = kSomeMissing;
      r.theirs_here = kAllThere;
      auto v = judge_sync(r);
      REQUIRE_FALSE(v.permit);
      CHECK(v.refusal.find("refusing to make this Redis a replica of 192.0.2.11:6379") == 0);
      CHECK(v.refusal.find("it holds 1000 keys") != std::string::npos);
      CHECK(v.refusal.find("the master 600 keys") != std::string::npos);
      CHECK(v.refusal.find("20 of 64 of its keys sampled are missing on the master") !=
            std::string::npos);
      CHECK(v.refusal.find("MIGRATE 192.0.2.11 6379") != std::string::npos);
      CHECK(v.refusal.find("redis-cli -p 6379 CONFIG SET replica-read-only no, then redis-cli "
                           "-p 6379 FLUSHALL") != std::string::npos);
      CHECK(v.refusal.find("diverged") == std::string::npos);
    }
    SECTION("both lack some of the other's: refused as diverged") {
      r.ours_there = kSomeMissing;
      r.theirs_here = kSomeMissing;
      auto v = judge_sync(r);
      REQUIRE_FALSE(v.permit);
      CHECK(v.refusal.find("20 of 64 of the master's keys sampled are missing here") !=
            std::string::npos);
      CHECK(v.refusal.find("the two have diverged") != std::string::npos);
    }
  }
}

TEST_CASE("sync gate: keys that cannot be sampled", "[redis][sync_gate]") {
  const Side mine{kA, kNone, 50, -1, 201, 201};
  auto r = request(mine, {kB, kNone, 900, -1, 300});
  SECTION("the ACL or rename-command forbids SCAN: key counts decide") {
    r.ours_there = Result<KeySample>(Error{Failure::noperm, "NOPERM scan"});
    CHECK(judge_sync(r).permit);  // 300 >= 201
    r.ours_there = Result<KeySample>(Error{Failure::unknown_command, "unknown command 'SCAN'"});
    CHECK(judge_sync(r).permit);
    auto emptier = request(mine, {kB, kNone, 9, -1, 10});
    emptier.ours_there = Result<KeySample>(Error{Failure::noperm, "NOPERM scan"});
    CHECK_FALSE(judge_sync(emptier).permit);
  }
  SECTION("anything else refuses, to be retried") {
    r.ours_there = Result<KeySample>(Error{Failure::masterdown, "MASTERDOWN"});
    auto v = judge_sync(r);
    REQUIRE_FALSE(v.permit);
    CHECK(v.refusal.find("cannot be compared yet (MASTERDOWN)") != std::string::npos);
  }
  SECTION("the master does not answer INFO") {
    r.theirs.reset();
    auto v = judge_sync(r);
    REQUIRE_FALSE(v.permit);
    CHECK(v.refusal.find("does not answer INFO") != std::string::npos);
  }
}

TEST_CASE("sync gate: restored data whose history goes further than the master's is refused",
          "[redis][sync_gate]") {
  // Its RDB (replication info kept) holds history up to 900; the master continued the same
  // history only to 500 (it was promoted before the last writes reached it).
  const Side restored{kB, kA, 900, 901, 10, 10};
  const Side master{kC, kA, 500, 501, 8};  // promoted at 500, took nothing since
  auto r = request(restored, master, true);
  CHECK_FALSE(needs_key_samples(r));  // the ids decide
  auto v = judge_sync(r);
  REQUIRE_FALSE(v.permit);
  CHECK(v.refusal.find("its replication history contains the master's and more") !=
        std::string::npos);
}

TEST_CASE("sync gate: data loaded at a restart is not compared while either side is LOADING",
          "[redis][sync_gate]") {
  const Side aof{kA, kNone, 0, -1, 1000, 0, true};
  auto r = request(aof, {kB, kNone, 2000, -1, 600, 0, true}, true);
  r.theirs = parse_info("# Replication\r\nmaster_replid:" + kB +
                        "\r\nmaster_repl_offset:2000\r\n\r\n# Persistence\r\nloading:1\r\n"
                        "\r\n# Keyspace\r\ndb0:keys=600,expires=0,avg_ttl=0\r\n");
  CHECK_FALSE(needs_key_samples(r));
  auto v = judge_sync(r);
  REQUIRE_FALSE(v.permit);
  CHECK(v.refusal.find("while the master is LOADING") != std::string::npos);
}

TEST_CASE("sync gate: data that came by replication follows the elected master, said in the log",
          "[redis][sync_gate]") {
  // A demoted Master (it once synced as a replica, so INFO counts keys loaded by that full
  // sync; AOF on): it shares the new master's history, the election chose the other; the
  // note says what the re-sync discards.
  const Side old_master{kA, kNone, 2000, -1, 50, 50, true};
  const Side new_master{kB, kA, 1500, 1001, 40};
  auto r = request(old_master, new_master);
  CHECK_FALSE(needs_key_samples(r));
  auto v = judge_sync(r);
  REQUIRE(v.permit);
  CHECK(v.note.find("it took 1000 bytes of replication stream") != std::string::npos);
  // A replica a few bytes ahead of a fellow replica promoted meanwhile (the old master's
  // last PINGs): the same.
  const Side replica{kA, kNone, 1014, -1, 40, 40, true};
  const Side promoted{kB, kA, 1000, 1001, 40};
  auto ahead = request(replica, promoted);
  CHECK_FALSE(needs_key_samples(ahead));
  CHECK(judge_sync(ahead).permit);
  // Loaded from disk at a restart, the same history going further is refused (above).
  CHECK_FALSE(judge_sync(request(replica, promoted, true)).permit);
}
