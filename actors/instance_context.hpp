#pragma once
// What every child of one vrrp_instance needs to know, resolved once at
// daemon start (interface index, primary address) from the configuration.

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "actors/log.hpp"
#include "config/model.hpp"
#include "net/ip_address.hpp"
#include "redis/connection.hpp"

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
  /// VIPs a reload took out of this instance's virtual_ipaddress: the first vip
  /// actor that starts with this context removes them from the interface and empties the list
  /// (shared by the context's copies), so a later restart does not remove them again.
  std::shared_ptr<std::vector<net::IpPrefix>> retired_vips;

  /// "[NAME]": the instance in actor names ("vip[NAME]").
  std::string tag() const { return "[" + instance.name + "]"; }
  /// This instance's log: every line starts with "[NAME] ".
  Log log() const { return Log(instance.name); }
};

/// A connection to the Redis at host:port (the local one or a member's) with the instance's
/// redis credentials (user, password or password_file), rename_command lines and check_timeout
/// for the connect and each command. Errors: redis::Connection::open's, and auth when password_file is unreadable.
redis::Result<redis::Connection> open_instance_redis(const InstanceContext& ctx,
                                                     const std::string& host, int port,
                                                     const std::string& client_name);

}  // namespace redkeep::actors
