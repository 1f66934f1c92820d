#include "config/keywords.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "config/keyword_table.hpp"

namespace redkeep::config {
namespace {

// keepalived keywords redkeep does not implement, per block.
const std::set<std::string_view>& unsupported(BlockKind block) {
  static const std::set<std::string_view> top = {
      "vrrp_sync_group", "virtual_server", "virtual_server_group",
      "static_ipaddress",    "static_routes",   "static_rules",   "include",
      "track_file",          "vrrp_track_file", "track_process",  "garp_group",
      "linkbeat_interfaces", "bfd_instance",    "net_namespace",  "instance",
      "use_pid_dir",         "real_server"};
  static const std::set<std::string_view> global = {"notification_email",
                                                    "notification_email_from",
                                                    "smtp_server",
                                                    "smtp_connect_timeout",
                                                    "smtp_helo_name",
                                                    "smtp_alert",
                                                    "smtp_alert_vrrp",
                                                    "enable_script_security",
                                                    "script_user",
                                                    "vrrp_skip_check_adv_addr",
                                                    "vrrp_strict",
                                                    "vrrp_garp_interval",
                                                    "vrrp_gna_interval",
                                                    "vrrp_mcast_group4",
                                                    "vrrp_mcast_group6",
                                                    "vrrp_iptables",
                                                    "vrrp_ipsets",
                                                    "nftables",
                                                    "vrrp_garp_master_delay",
                                                    "vrrp_garp_master_repeat",
                                                    "vrrp_garp_master_refresh",
                                                    "vrrp_garp_master_refresh_repeat",
                                                    "vrrp_garp_lower_prio_delay",
                                                    "vrrp_garp_lower_prio_repeat",
                                                    "vrrp_check_unicast_src",
                                                    "vrrp_lower_prio_no_advert",
                                                    "vrrp_higher_prio_send_advert",
                                                    "vrrp_startup_delay",
                                                    "vrrp_priority",
                                                    "vrrp_no_swap",
                                                    "vrrp_rt_priority",
                                                    "vrrp_cpu_affinity",
                                                    "vrrp_notify_fifo",
                                                    "vrrp_notify_fifo_script",
                                                    "notify_fifo",
                                                    "notify_fifo_script",
                                                    "lvs_id",
                                                    "dynamic_interfaces",
                                                    "max_auto_priority",
                                                    "enable_traps",
                                                    "enable_snmp_vrrp",
                                                    "snmp_socket",
                                                    "checker_priority",
                                                    "script_security",
                                                    "router_id_suffix",
                                                    "default_interface",
                                                    "vrrp_min_garp",
                                                    "process_names",
                                                    "vrrp_version_strict"};
  static const std::set<std::string_view> instance = {"track_interface",
                                                      "track_file",
                                                      "track_process",
                                                      "track_bfd",
                                                      "notify_master_rx_lower_pri",
                                                      "notify_deleted",
                                                      "smtp_alert",
                                                      "dont_track_primary",
                                                      "use_vmac",
                                                      "vmac_xmit_base",
                                                      "native_ipv6",
                                                      "virtual_routes",
                                                      "virtual_rules",
                                                      "virtual_ipaddress_excluded",
                                                      "mcast_src_ip",
                                                      "lvs_sync_daemon_interface",
                                                      "debug",
                                                      "strict_mode",
                                                      "accept",
                                                      "no_accept",
                                                      "skip_check_adv_addr",
                                                      "garp_lower_prio_delay",
                                                      "garp_lower_prio_repeat",
                                                      "lower_prio_no_advert",
                                                      "higher_prio_send_advert",
                                                      "kernel_rx_buf_size",
                                                      "unicast_ttl",
                                                      "unicast_fault_no_peer",
                                                      "check_unicast_src",
                                                      "old_unicast_checksum",
                                                      "linkbeat_use_polling",
                                                      "preempt",
                                                      "track_src_ip",
                                                      "down_timer_adverts",
                                                      "use_ipvlan",
                                                      "vrrp_skip_check_adv_addr"};
  static const std::set<std::string_view> none;
  switch (block) {
    case BlockKind::top:
      return top;
    case BlockKind::global_defs:
      return global;
    case BlockKind::vrrp_instance:
      return instance;
    default:
      return none;
  }
}

}  // namespace

std::string block_name(BlockKind block) {
  switch (block) {
    case BlockKind::top:
      return "the top level";
    case BlockKind::global_defs:
      return "global_defs";
    case BlockKind::vrrp_instance:
      return "vrrp_instance";
    case BlockKind::authentication:
      return "authentication";
    case BlockKind::redis:
      return "redis";
    case BlockKind::vrrp_script:
      return "vrrp_script";
  }
  return "?";
}

const std::vector<std::string_view>& supported_keywords(BlockKind block) {
  static const auto by_block = [] {
    std::map<BlockKind, std::vector<std::string_view>> m;
    for (const auto& k : keyword_table()) m[k.block].push_back(k.name);
    return m;
  }();
  return by_block.at(block);
}

std::optional<std::string> unsupported_message(BlockKind block, std::string_view word) {
  if (!unsupported(block).count(word)) return std::nullopt;
  std::string message = "'" + std::string(word) + "' is not supported yet";
  if (word == "include") {
    message += "; put the whole configuration in one file";
  } else if (word == "mcast_src_ip") {
    message += "; keepalived treats it like unicast_src_ip, which redkeep supports";
  } else if (word == "preempt") {
    message += "; preemption is the default, remove it";
  }
  return message;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

std::optional<std::string> nearest_keyword(BlockKind block, std::string_view word) {
  if (word.size() > 64) return std::nullopt;
  const std::size_t limit = word.size() >= 10 ? 3 : word.size() >= 5 ? 2 : 1;
  std::optional<std::string> best;
  std::size_t best_distance = limit + 1;
  for (std::string_view candidate : supported_keywords(block)) {
    const std::size_t d = edit_distance(word, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = std::string(candidate);
    }
  }
  return best;
}

}  // namespace redkeep::config
