#pragma once
// What every child of one vrrp_instance needs to know, resolved once at
// daemon start (interface index, primary address) from the configuration.

#include <cstddef>
#include <string>

#include "actors/instance_log.hpp"
#include "config/model.hpp"
#include "net/ip_address.hpp"

namespace redkeep::actors {

/// One vrrp_instance as the daemon runs it.
struct InstanceContext {
  std::size_t group = 0;          ///< index of the instance in the config
  config::VrrpInstance instance;  ///< effective configuration
  unsigned ifindex = 0;           ///< kernel index of `instance.interface`
  /// Source of our adverts and the RFC tie-break: unicast_src_ip, else the
  /// interface's first IPv4 address that is not a VIP.
  net::IpAddress primary_address;
  /// global_defs state_file: run_id / replication id / offset across restarts.
  std::string state_file;

  /// "[NAME]": the instance in actor names ("vip[NAME]").
  std::string tag() const { return "[" + instance.name + "]"; }
  /// This instance's log: every line starts with "[NAME] ".
  InstanceLog log() const { return InstanceLog(instance.name); }
};

}  // namespace redkeep::actors
