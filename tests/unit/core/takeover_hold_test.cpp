// The held-takeover policy (core::TakeoverHold, core::judge_vip), as the
// election feeds it: observations in, watch and hold commands out.
#include "core/takeover_hold.hpp"

#include <catch2/catch.hpp>

using namespace redkeep::core;
using namespace redkeep::redis;

namespace {
const std::string kA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const std::string kB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

ReplicationInfo master_of(const std::string& replid, const std::string& replid2 = "") {
  ReplicationInfo r;
  r.role = InfoRole::master;
  r.master_replid = replid;
  r.master_replid2 = replid2;
  r.master_repl_offset = 1000;
  return r;
}

const std::vector<ClientEntry> kWatched{{7, "127.0.0.1:40000", "redkeep-health", "N"}};
const std::vector<ClientEntry> kUnwatched{{8, "192.0.2.50:50000", "app", "N"}};
}  // namespace

TEST_CASE("judge_vip: only a master of our history that a live redkeep watches serves it",
          "[core][takeover_hold]") {
  CHECK(judge_vip(master_of(kA), kWatched, kA, "vip").serves_our_history);
  // A fellow replica promoted meanwhile: our id is its previous one.
  CHECK(judge_vip(master_of(kB, kA), kWatched, kA, "vip").serves_our_history);
  // Its redkeep is gone (or a keepalived master), or CLIENT LIST was refused: nothing guards it.
  const auto unwatched = judge_vip(master_of(kA), kUnwatched, kA, "192.0.2.100:6379");
  CHECK_FALSE(unwatched.serves_our_history);
  CHECK(unwatched.detail ==
        "192.0.2.100:6379 answers as master of history aaaaaaaa at offset 1000, no redkeep "
        "watching it");
  CHECK_FALSE(judge_vip(master_of(kA), std::nullopt, kA, "vip").serves_our_history);
  // Another history, a replica at the VIP, or our own id unknown.
  CHECK_FALSE(judge_vip(master_of(kB), kWatched, kA, "vip").serves_our_history);
  auto replica = master_of(kA);
  replica.role = InfoRole::replica;
  CHECK_FALSE(judge_vip(replica, kWatched, kA, "vip").serves_our_history);
  CHECK_FALSE(judge_vip(master_of(""), kWatched, "", "vip").serves_our_history);
}

TEST_CASE(
    "TakeoverHold: confirmed while overdue, watched, released when the watch loses the "
    "VIP, when a check no longer confirms, or when the Master is heard again",
    "[core][takeover_hold]") {
  TakeoverHold h;
  // A confirmation before the adverts are overdue counts for nothing.
  h.report(true);
  auto c = h.commands();
  CHECK_FALSE(c.watch);
  CHECK_FALSE(c.hold);

  h.master_overdue(true);
  h.report(true);
  c = h.commands();
  CHECK(c.watch == true);
  CHECK(c.hold == true);
  CHECK(h.held());
  // Nothing new: no command.
  h.report(true);
  c = h.commands();
  CHECK_FALSE(c.watch);
  CHECK_FALSE(c.hold);

  // The watch loses the VIP: released, still watching; it answers again: held again.
  h.watch_result(false);
  c = h.commands();
  CHECK(c.hold == false);
  CHECK_FALSE(c.watch);
  CHECK(std::string(h.release_reason()) == "the VIP no longer answers");
  h.watch_result(true);
  CHECK(h.commands().hold == true);

  // A check that cannot confirm (no answer, or no redkeep watching): plain VRRP.
  h.report(std::nullopt);
  c = h.commands();
  CHECK(c.hold == false);
  CHECK(c.watch == false);
  CHECK(std::string(h.release_reason()).find("no longer leads") != std::string::npos);

  // Confirmed again, then the Master is heard: released and no longer watched.
  h.report(true);
  CHECK(h.commands().hold == true);
  h.master_overdue(false);
  c = h.commands();
  CHECK(c.hold == false);
  CHECK(c.watch == false);
  CHECK(std::string(h.release_reason()) == "the Master is heard again");
  // A late watch result after the watch stopped changes nothing.
  h.watch_result(true);
  CHECK_FALSE(h.commands().hold);
}

TEST_CASE("TakeoverHold: a restarted watcher is told to watch again, the hold stays",
          "[core][takeover_hold]") {
  TakeoverHold h;
  h.master_overdue(true);
  h.report(true);
  REQUIRE(h.commands().hold == true);
  h.watcher_restarted();
  const auto c = h.commands();
  CHECK(c.watch == true);
  CHECK_FALSE(c.hold);  // still held: no command
  CHECK(h.held());
}
