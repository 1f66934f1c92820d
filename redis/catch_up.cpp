#include "redis/catch_up.hpp"

#include <fmt/format.h>

namespace redkeep::redis {

CatchUpStatus compare_catch_up(const ReplicationInfo& master, const ReplicationInfo& mine) {
  CatchUpStatus s;
  if (master.role != InfoRole::master || !master.master_repl_offset) {
    s.hopeless = true;
    s.detail = "the Master's Redis is not a master (INFO replication)";
    return s;
  }
  if (mine.role != InfoRole::replica) {
    s.hopeless = true;
    s.detail = "the local Redis is not a replica";
    return s;
  }
  const auto theirs = *master.master_repl_offset;
  const auto own = mine.slave_repl_offset ? mine.slave_repl_offset : mine.master_repl_offset;
  if (!own || mine.master_replid != master.master_replid) {
    s.hopeless = mine.master_link_status == LinkStatus::up;
    s.detail = fmt::format("replication id {} here, {} on the Master",
                           mine.master_replid.substr(0, 8), master.master_replid.substr(0, 8));
    return s;
  }
  s.detail = fmt::format("offset {} of the Master's {}", *own, theirs);
  s.done = *own == theirs && mine.master_link_status == LinkStatus::up;
  if (mine.master_link_status != LinkStatus::up) s.detail += ", replication link down";
  s.hopeless = *own > theirs;  // ahead of the Master: another history wrote here
  return s;
}

}  // namespace redkeep::redis
