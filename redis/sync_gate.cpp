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

namespace {

bool forbidden(const Result<KeySample>& sample) {
  return !sample && (sample.failure() == Failure::noperm ||
                     sample.failure() == Failure::unknown_command);
}

DataOrder by_counts(const DataSide& mine, const DataSide& theirs) {
  if (mine.keys == theirs.keys) return DataOrder::same;
  return mine.keys > theirs.keys ? DataOrder::ours_newer : DataOrder::theirs_newer;
}

}  // namespace

DataOrder compare_data(const DataSide& mine, const DataSide& theirs,
                       const std::optional<Result<KeySample>>& ours_there,
                       const std::optional<Result<KeySample>>& theirs_here) {
  if (auto order = order_by_history(mine, theirs)) return *order;
  if (!ours_there || !theirs_here) return DataOrder::unknown;
  if (forbidden(*ours_there) || forbidden(*theirs_here)) return by_counts(mine, theirs);
  if (!*ours_there || !*theirs_here) return DataOrder::unknown;
  const auto order = order_by_keys(ours_there->value(), theirs_here->value());
  // A sample can miss what a stale side lacks: then the side with more keys is the newer.
  return order == DataOrder::same ? by_counts(mine, theirs) : order;
}

std::string describe_side(const DataSide& side) {
  return std::to_string(side.keys) + " keys, replid " + side.repl.master_replid.substr(0, 8) +
         " at " + std::to_string(side.repl.master_repl_offset.value_or(0));
}

namespace {

/// Some replication id of one side is one of the other's: a history they share (a replica
/// of the other, or both of one master), as in a running cluster.
bool related(const ReplicationInfo& a, const ReplicationInfo& b) {
  const std::string none(40, '0');
  const auto one_of_b = [&](const std::string& id) {
    return !id.empty() && id != none && (id == b.master_replid || id == b.master_replid2);
  };
  return one_of_b(a.master_replid) || one_of_b(a.master_replid2);
}

bool loading(const InfoSections& info) {
  return parse_persistence_info(info).loading.value_or(false);
}

/// Data worth a refusal: loaded from disk at a restart (redis_health saw it), or held under a
/// history the master does not share while INFO says it came from disk (an RDB was loaded, or
/// AOF is on: Redis 7.0 counts none of the keys an AOF replays in rdb_last_load_keys_loaded).
/// A replica that shares the master's history holds what replication gave it (a full sync
/// counts in rdb_last_load_keys_loaded too): the elected master's data replaces it.
bool guarded(const SyncRequest& r) {
  if (r.loaded_data) return true;
  if (r.theirs && related(parse_replication_info(r.mine), parse_replication_info(*r.theirs)))
    return false;
  return holds_loaded_data(r.mine) || parse_persistence_info(r.mine).aof_enabled.value_or(false);
}

std::string sample_text(const KeySample& s, const char* whose, const char* where) {
  return std::to_string(s.missing) + " of " + std::to_string(s.sampled) + " of " + whose +
         " keys sampled are missing " + where;
}

/// The refusal: both sides, what was found, and the commands that settle it.
std::string refusal(const SyncRequest& r, const DataSide& mine, const DataSide& theirs,
                    const std::string& finding) {
  const auto& p = r.parties;
  const std::string master_side =
      r.theirs ? std::to_string(theirs.keys) + " keys (replid " +
                     theirs.repl.master_replid.substr(0, 8) + ", offset " +
                     std::to_string(theirs.repl.master_repl_offset.value_or(0)) + ")"
               : "unknown";
  return "refusing to make this Redis a replica of " + p.master_host + ":" +
         std::to_string(p.master_port) + ": it holds " + std::to_string(mine.keys) +
         " keys (replid " + mine.repl.master_replid.substr(0, 8) + ", offset " +
         std::to_string(mine.repl.master_repl_offset.value_or(0)) + "), the master " +
         master_side + "; " + finding + "; a full sync would delete this node's data. To settle "
         "it, copy what only this node holds to the master first (its keys: redis-cli -p " +
         std::to_string(p.own_port) + " --scan; MIGRATE " + p.master_host + " " +
         std::to_string(p.master_port) + " ... or DUMP/RESTORE), then discard this node's copy: "
         "redis-cli -p " + std::to_string(p.own_port) + " CONFIG SET replica-read-only no, then "
         "redis-cli -p " + std::to_string(p.own_port) + " FLUSHALL; redkeep then makes it a "
         "replica";
}

}  // namespace

bool needs_key_samples(const SyncRequest& r) {
  if (!r.theirs || loading(r.mine) || loading(*r.theirs)) return false;
  const auto mine = data_side(r.mine);
  return mine.keys > 0 && guarded(r) && !order_by_history(mine, data_side(*r.theirs));
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
  if (mine.keys == 0) return permit("");
  if (!r.theirs) {
    // Unreachable: REPLICAOF decides (the link comes up when the master does), unless data
    // worth guarding is at stake. Retried until the master answers.
    if (!guarded(r)) return permit("");
    return refuse("the master does not answer INFO, so the data cannot be compared");
  }
  const auto history = order_by_history(mine, theirs);
  if (history == DataOrder::same || history == DataOrder::theirs_newer) return permit("");
  if (!guarded(r)) return permit(writes_discarded(r.mine, *r.theirs));
  if (loading(r.mine) || loading(*r.theirs))
    return refuse("the data cannot be compared while " +
                  std::string(loading(r.mine) ? "this Redis" : "the master") + " is LOADING");
  if (history == DataOrder::ours_newer)
    return refuse(theirs.keys == 0 ? "the master holds no keys"
                                   : "its replication history contains the master's and more");
  if (!r.ours_there) return refuse("keys not compared yet");
  const auto& ours_there = *r.ours_there;
  if (forbidden(ours_there)) {
    if (theirs.keys >= mine.keys) return permit("");
    return refuse("keys cannot be compared (" + ours_there.error().message +
                  ") and the master holds fewer");
  }
  if (!ours_there)
    return refuse("keys cannot be compared yet (" + ours_there.error().message + ")");
  if (ours_there.value().missing == 0) {
    if (theirs.keys >= mine.keys) return permit("");
    // The sample may have missed what the master lacks: fewer keys there is not a prefix.
    return refuse("the master holds every sampled key but fewer keys in all (" +
                  std::to_string(theirs.keys) + " against " + std::to_string(mine.keys) +
                  "), so it lacks some the sample did not hit");
  }
  std::string finding = sample_text(ours_there.value(), "its", "on the master");
  if (r.theirs_here && *r.theirs_here && r.theirs_here->value().missing > 0) {
    finding += " and " + sample_text(r.theirs_here->value(), "the master's", "here") +
               ": the two have diverged, each holds writes the other lacks (copy what you need "
               "from the side you discard before settling it)";
  }
  return refuse(finding);
}

}  // namespace redkeep::redis
