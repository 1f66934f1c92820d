#include "redis/sync_gate.hpp"

namespace redkeep::redis {

const char* to_string(DataOrder order) {
  switch (order) {
    case DataOrder::same: return "same";
    case DataOrder::ours_newer: return "ours newer";
    case DataOrder::theirs_newer: return "theirs newer";
    case DataOrder::diverged: return "diverged";
    case DataOrder::unknown: return "unknown";
  }
  return "unknown";
}

DataSide data_side(const InfoSections& info) {
  return DataSide{parse_replication_info(info), key_count(info)};
}

std::optional<DataOrder> order_by_history(const DataSide& mine, const DataSide& theirs) {
  if (mine.keys == 0 && theirs.keys == 0) return DataOrder::same;
  if (mine.keys == 0) return DataOrder::theirs_newer;
  if (theirs.keys == 0) return DataOrder::ours_newer;
  const bool ours_holds = history_contains(mine.repl, theirs.repl);
  const bool theirs_holds = history_contains(theirs.repl, mine.repl);
  if (ours_holds && theirs_holds) return DataOrder::same;
  if (ours_holds) return DataOrder::ours_newer;
  if (theirs_holds) return DataOrder::theirs_newer;
  return std::nullopt;
}

DataOrder order_by_keys(const KeySample& ours_there, const KeySample& theirs_here) {
  const bool they_lack = ours_there.missing > 0;
  const bool we_lack = theirs_here.missing > 0;
  if (they_lack && we_lack) return DataOrder::diverged;
  if (they_lack) return DataOrder::ours_newer;
  if (we_lack) return DataOrder::theirs_newer;
  return DataOrder::same;
}

DataOrder compare_data(const DataSide& mine, const DataSide& theirs,
                       const std::optional<Result<KeySample>>& ours_there,
                       const std::optional<Result<KeySample>>& theirs_here) {
  if (auto order = order_by_history(mine, theirs)) return *order;
  if (!ours_there || !theirs_here || !*ours_there || !*theirs_here) return DataOrder::unknown;
  return order_by_keys(ours_there->value(), theirs_here->value());
}

std::string describe_side(const DataSide& side) {
  return std::to_string(side.keys) + " keys, replid " + side.repl.master_replid.substr(0, 8) +
         " at " + std::to_string(side.repl.master_repl_offset.value_or(0));
}

namespace {

/// Data worth a refusal: loaded from disk (redis_health saw the restart, or INFO says RDB
/// keys were loaded), or kept in an AOF (Redis 7.0 does not count keys loaded from an AOF
/// without an RDB preamble in rdb_last_load_keys_loaded).
bool guarded(const SyncRequest& r) {
  return r.loaded_data || holds_loaded_data(r.mine) ||
         parse_persistence_info(r.mine).aof_enabled.value_or(false);
}

std::string sample_text(const KeySample& s, const char* whose, const char* where) {
  return std::to_string(s.missing) + " of " + std::to_string(s.sampled) + " of " + whose +
         " keys sampled are missing " + where;
}

/// The refusal: both sides, what was found, and the commands that settle it.
std::string refusal(const SyncRequest& r, const DataSide& mine, const DataSide& theirs,
                    const std::string& finding) {
  const auto& p = r.parties;
  return "refusing to make this Redis a replica of " + p.master_host + ":" +
         std::to_string(p.master_port) + ": it holds " + std::to_string(mine.keys) +
         " keys (replid " + mine.repl.master_replid.substr(0, 8) + ", offset " +
         std::to_string(mine.repl.master_repl_offset.value_or(0)) + "), the master " +
         std::to_string(theirs.keys) + " keys (replid " + theirs.repl.master_replid.substr(0, 8) +
         ", offset " + std::to_string(theirs.repl.master_repl_offset.value_or(0)) + "); " +
         finding + "; a full sync would delete this node's data. To keep this node's data, make "
         "the master a replica of it: redis-cli -h " + p.master_host + " -p " +
         std::to_string(p.master_port) + " REPLICAOF " + p.own_address + " " +
         std::to_string(p.own_port) + " (then restart redkeep there). To discard it: redis-cli "
         "-p " + std::to_string(p.own_port) + " FLUSHALL on this node; redkeep then makes it a "
         "replica";
}

}  // namespace

bool needs_key_samples(const SyncRequest& r) {
  const auto mine = data_side(r.mine);
  if (mine.keys == 0 || !guarded(r) || !r.theirs) return false;
  const auto order = order_by_history(mine, data_side(*r.theirs));
  return order != DataOrder::same && order != DataOrder::theirs_newer;
}

SyncVerdict judge_sync(const SyncRequest& r) {
  const auto mine = data_side(r.mine);
  const auto theirs = data_side(r.theirs.value_or(InfoSections{}));
  const auto permit = [&](std::string note) {
    return SyncVerdict{SyncPermit{r.parties.master_host, r.parties.master_port}, "",
                       std::move(note)};
  };
  const auto refuse = [&](const std::string& finding) {
    return SyncVerdict{std::nullopt, refusal(r, mine, theirs, finding), ""};
  };
  if (!r.theirs) {
    // Unreachable: REPLICAOF decides (the link comes up when the master does), unless data
    // worth guarding is at stake. Retried until the master answers.
    if (mine.keys == 0 || !guarded(r)) return permit("");
    return refuse("the master does not answer INFO, so the data cannot be compared");
  }
  const auto order = order_by_history(mine, theirs);
  if (order == DataOrder::same || order == DataOrder::theirs_newer) return permit("");
  if (!guarded(r)) return permit(writes_discarded(r.mine, *r.theirs));
  const std::string ahead =
      order == DataOrder::ours_newer ? "its history contains the master's and more, " : "";
  if (!r.ours_there) return refuse(ahead + "keys not compared yet");
  const auto& ours_there = *r.ours_there;
  if (!ours_there) {
    const auto f = ours_there.failure();
    if (f == Failure::noperm || f == Failure::unknown_command) {
      if (theirs.keys >= mine.keys) return permit("");
      return refuse(ahead + "keys cannot be compared (" + ours_there.error().message +
                    ") and the master holds fewer");
    }
    return refuse(ahead + "keys cannot be compared yet (" + ours_there.error().message + ")");
  }
  if (ours_there.value().missing == 0) {
    // The bytes ahead were PINGs, expirations or overwritten values: nothing by name is lost.
    return permit(order == DataOrder::ours_newer
                      ? "; its history was ahead of the master's, but the master holds every "
                        "sampled key: the re-sync discards the bytes ahead"
                      : "");
  }
  std::string finding = ahead + sample_text(ours_there.value(), "its", "on the master");
  if (r.theirs_here && *r.theirs_here && r.theirs_here->value().missing > 0) {
    finding += " and " + sample_text(r.theirs_here->value(), "the master's", "here") +
               ": the two have diverged, each holds writes the other lacks (copy what you need "
               "from the side you discard before settling it)";
  }
  return refuse(finding);
}

}  // namespace redkeep::redis
