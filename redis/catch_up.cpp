#include "redis/catch_up.hpp"

#include <fmt/format.h>

#include <optional>

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

std::vector<ClientEntry> earlier_switchovers(const std::vector<ClientEntry>& clients,
                                             const std::string& own_addr) {
  std::optional<std::uint64_t> own;
  for (const auto& c : clients)
    if (c.addr == own_addr && c.name == kSwitchoverClientName) own = c.id;
  std::vector<ClientEntry> out;
  for (const auto& c : clients)
    if (c.name == kSwitchoverClientName && c.addr != own_addr && (!own || c.id < *own))
      out.push_back(c);
  return out;
}

}  // namespace redkeep::redis
