#include "core/redis_report.hpp"

#include <algorithm>

#include "redis/history.hpp"
#include "redis/sync_gate.hpp"

namespace redkeep::core {

const char* info_role_word(redis::InfoRole role) {
  switch (role) {
    case redis::InfoRole::master:
      return "master";
    case redis::InfoRole::replica:
      return "slave";
    case redis::InfoRole::unknown:
      break;
  }
  return "";
}

RedisHealth report_from_info(const redis::ReplicationInfo& repl, const redis::ServerInfo& server) {
  RedisHealth r;
  r.role = repl.role;
  r.master_host = repl.master_host.value_or("");
  r.master_port = static_cast<std::uint16_t>(repl.master_port.value_or(0));
  r.master_link_status = repl.master_link_status;
  r.sync_in_progress = repl.master_sync_in_progress.value_or(false);
  r.repl_offset = repl.master_repl_offset.value_or(-1);
  r.replid = repl.master_replid;
  r.run_id = server.run_id;
  r.replica_priority = repl.replica_priority;
  std::optional<std::int64_t> silent;
  for (const auto& rep : repl.replicas) {
    if (rep.state != "online") {
      ++r.replicas_syncing;
      continue;
    }
    if (redis::follows_now(rep)) ++r.replicas_following;
    const auto lag = rep.lag.value_or(0);
    if (lag <= kReplicaAckLimit) ++r.connected_replicas;
    silent = std::min(silent.value_or(lag), lag);
    r.replication_lag_s = std::max(r.replication_lag_s.value_or(lag), lag);
  }
  r.replicas_silent_s = silent.value_or(0);
  if (repl.role == redis::InfoRole::replica && repl.master_last_io_seconds_ago.value_or(-1) >= 0)
    r.replication_lag_s = repl.master_last_io_seconds_ago;
  return r;
}

bool compares_with_fellows(const RedisHealth& report, bool master_overdue) {
  return report.master_link_status != redis::LinkStatus::up || master_overdue;
}

bool fellow_ahead(const redis::ReplicationInfo& fellow, const std::string& our_replid,
                  std::int64_t our_offset) {
  const bool same_history = !our_replid.empty() && (fellow.master_replid == our_replid ||
                                                    fellow.master_replid2 == our_replid);
  return same_history && fellow.master_repl_offset.value_or(-1) > our_offset;
}

std::optional<net::RedisEndpoint> member_endpoint(const std::string& host, int port,
                                                  const net::IpAddress& self,
                                                  std::uint16_t self_port) {
  const auto address = net::IpAddress::parse(host);
  if (!address || port <= 0 || port > 65535) return std::nullopt;
  if (address->is_loopback() || address->is_link_local()) return std::nullopt;
  if (*address == self && port == self_port) return std::nullopt;
  return net::RedisEndpoint{*address, static_cast<std::uint16_t>(port)};
}

bool replica_of_nowhere(const RedisHealth& r) {
  return r.role == redis::InfoRole::replica && r.master_host == redis::kNowhereHost &&
         r.master_port == redis::kNowherePort;
}

bool restart_resolved(const RedisHealth& r) {
  if (r.role == redis::InfoRole::master) return true;
  return r.role == redis::InfoRole::replica && !replica_of_nowhere(r) &&
         r.master_link_status == redis::LinkStatus::up && !r.sync_in_progress;
}

void carry_over(const std::string& member, const std::vector<MemberData>& last,
                std::vector<MemberData>& compared, std::vector<std::string>& missing) {
  const auto found = std::find_if(last.begin(), last.end(),
                                  [&](const MemberData& d) { return d.member == member; });
  if (found != last.end()) {
    compared.push_back(*found);
  } else {
    missing.push_back(member + " (not asked yet)");
  }
}

}  // namespace redkeep::core
