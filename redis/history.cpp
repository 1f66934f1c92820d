#include "redis/history.hpp"

#include <algorithm>
#include <cstdlib>
#include <string_view>

#include "redis/reply.hpp"
#include "redis/sync_gate.hpp"

namespace redkeep::redis {

std::int64_t key_count(const InfoSections& info) {
  std::int64_t total = 0;
  auto it = info.find("keyspace");
  if (it == info.end()) return 0;
  for (const auto& [db, value] : it->second) {
    auto pos = value.find("keys=");
    if (pos == std::string::npos) continue;
    total += std::strtoll(value.c_str() + pos + 5, nullptr, 10);
  }
  return total;
}

std::vector<int> databases_with_keys(const InfoSections& info) {
  std::vector<int> dbs;
  auto it = info.find("keyspace");
  if (it == info.end()) return dbs;
  for (const auto& [db, value] : it->second) {
    if (db.rfind("db", 0) != 0) continue;
    auto n = parse_int64(std::string_view(db).substr(2));
    auto pos = value.find("keys=");
    if (!n || *n < 0 || *n > 65535 || pos == std::string::npos) continue;
    if (std::strtoll(value.c_str() + pos + 5, nullptr, 10) > 0) {
      dbs.push_back(static_cast<int>(*n));
    }
  }
  std::sort(dbs.begin(), dbs.end());
  return dbs;
}

bool holds_loaded_data(const InfoSections& mine) {
  auto loaded = parse_persistence_info(mine).rdb_last_load_keys_loaded;
  return key_count(mine) > 0 && loaded.value_or(0) > 0;
}

std::string writes_discarded(const InfoSections& mine, const InfoSections& theirs) {
  auto m = parse_replication_info(mine);
  auto t = parse_replication_info(theirs);
  auto own_offset = m.master_repl_offset.value_or(0);
  if (!m.master_replid.empty() && t.master_replid2 == m.master_replid && t.second_repl_offset) {
    auto diverged = own_offset - (*t.second_repl_offset - 1);
    if (diverged <= 0) return "; it took no writes the new master lacks";
    return "; it took " + std::to_string(diverged) + " bytes of replication stream after the "
           "new master took over (offset " + std::to_string(own_offset) +
           ", the new master continued from " + std::to_string(*t.second_repl_offset - 1) +
           "; client writes, or Redis's own PINGs of 14 bytes every repl-ping-replica-period): "
           "the re-sync discards them";
  }
  if (t.master_replid == m.master_replid || own_offset == 0) return "";
  return "; its history (replid " + m.master_replid.substr(0, 8) + ", offset " +
         std::to_string(own_offset) + ") is not the new master's: a full sync replaces its data";
}

namespace {

bool real_id(const std::string& id) {
  return !id.empty() && id.find_first_not_of('0') != std::string::npos;
}

}  // namespace

bool history_contains(const ReplicationInfo& a, const ReplicationInfo& b) {
  if (!real_id(b.master_replid) || !b.master_repl_offset || !a.master_repl_offset) return false;
  std::string id = b.master_replid;
  std::int64_t offset = *b.master_repl_offset;
  // Promoted and took nothing since: its data is the history it left.
  if (real_id(b.master_replid2) && b.second_repl_offset && offset == *b.second_repl_offset - 1)
    id = b.master_replid2;
  if (id == a.master_replid) return offset <= *a.master_repl_offset;
  return real_id(a.master_replid2) && id == a.master_replid2 && a.second_repl_offset &&
         offset < *a.second_repl_offset;
}

FloorTie floor_tie_outcome(const ReplicationInfo& mine, const ReplicationInfo& theirs) {
  if (history_contains(mine, theirs)) return FloorTie::ours;
  if (history_contains(theirs, mine)) return FloorTie::theirs;
  const auto kept = [](const ReplicationInfo& r) {
    return std::any_of(r.replicas.begin(), r.replicas.end(), follows_now);
  };
  const bool ours_kept = kept(mine);
  const bool theirs_kept = kept(theirs);
  if (theirs_kept != ours_kept) return theirs_kept ? FloorTie::theirs : FloorTie::ours;
  if (auto since = bytes_since_fork(mine, theirs); since && since->first != since->second)
    return since->first > since->second ? FloorTie::ours : FloorTie::theirs;
  return FloorTie::address;
}

std::optional<std::pair<std::int64_t, std::int64_t>> bytes_since_fork(
    const ReplicationInfo& mine, const ReplicationInfo& theirs) {
  if (!mine.master_repl_offset || !theirs.master_repl_offset) return std::nullopt;
  // Where a promoted side left the history it was promoted from.
  const auto fork_of = [](const ReplicationInfo& r) -> std::optional<std::int64_t> {
    if (!real_id(r.master_replid2) || !r.second_repl_offset) return std::nullopt;
    return *r.second_repl_offset - 1;
  };
  std::optional<std::int64_t> fork;
  if (theirs.master_replid2 == mine.master_replid) fork = fork_of(theirs);
  else if (mine.master_replid2 == theirs.master_replid) fork = fork_of(mine);
  if (fork)
    return std::pair{*mine.master_repl_offset - *fork, *theirs.master_repl_offset - *fork};
  // Both promoted from one history: each from its own point.
  const auto mine_fork = fork_of(mine), theirs_fork = fork_of(theirs);
  if (mine_fork && theirs_fork && mine.master_replid2 == theirs.master_replid2)
    return std::pair{*mine.master_repl_offset - *mine_fork,
                     *theirs.master_repl_offset - *theirs_fork};
  return std::nullopt;
}

FloorTie floor_tie_by_keys(const KeySample& ours_there, const KeySample& theirs_here) {
  switch (order_by_keys(ours_there, theirs_here)) {
    case DataOrder::ours_newer: return FloorTie::ours;
    case DataOrder::theirs_newer: return FloorTie::theirs;
    default: return FloorTie::address;
  }
}

std::string describe_floor_tie(const ReplicationInfo& mine, const ReplicationInfo& theirs) {
  const auto side = [](const ReplicationInfo& r) {
    return r.master_replid.substr(0, 8) + " at " +
           std::to_string(r.master_repl_offset.value_or(-1)) + " with " +
           std::to_string(std::count_if(r.replicas.begin(), r.replicas.end(), follows_now)) +
           " replicas following";
  };
  std::string text = "ours " + side(mine) + ", theirs " + side(theirs);
  if (auto since = bytes_since_fork(mine, theirs))
    text += "; since the fork ours took " + std::to_string(since->first) + " bytes, theirs " +
            std::to_string(since->second);
  return text;
}

std::string describe_key_samples(const KeySample& ours_there, const KeySample& theirs_here) {
  return "keys: " + std::to_string(ours_there.missing) + " of " +
         std::to_string(ours_there.sampled) + " of ours missing there, " +
         std::to_string(theirs_here.missing) + " of " + std::to_string(theirs_here.sampled) +
         " of theirs missing here";
}

}  // namespace redkeep::redis
