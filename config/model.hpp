#pragma once
// The effective redkeep configuration: what a keepalived.conf-syntax file means once parsed and
// validated, with every default filled in. Pure data, no I/O. Field names are keepalived's
// keywords; durations carry their unit in the name or the type.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "net/ip_address.hpp"

namespace redkeep::config {

/// VRRP protocol version: 2 = RFC 3768 (keepalived's default), 3 = RFC 5798 / RFC 9568.
enum class VrrpVersion : std::uint8_t { v2 = 2, v3 = 3 };

/// VRRPv2 authentication (RFC 3768 section 5.3.6). AH is refused by the parser; v3 has none.
enum class AuthType : std::uint8_t { none, pass };

/// keepalived's `state`: the state an instance starts in. Both start as Backup in redkeep's
/// election unless the state machine decides otherwise; `state MASTER` only matters for
/// nopreempt/preempt_delay (which keepalived ignores with it).
enum class InitialState : std::uint8_t { backup, master };

/// A password as read from the file. It has no stream operator and no implicit conversion, so
/// it cannot reach a log line or a diagnostic by accident; reveal() is for the wire and Redis.
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  const std::string& reveal() const { return value_; }
  bool empty() const { return value_.empty(); }
  friend bool operator==(const Secret& a, const Secret& b) { return a.value_ == b.value_; }
  friend bool operator!=(const Secret& a, const Secret& b) { return !(a == b); }

 private:
  std::string value_;
};

/// Defaults of the redkeep extensions in global_defs.
inline constexpr const char* kDefaultControlSocket = "/run/redkeep/redkeep.sock";
inline constexpr const char* kDefaultStateFile = "/var/lib/redkeep/state.json";

/// An address and TCP port to listen on: "192.0.2.11:9470", "[2001:db8::1]:9470".
struct ListenAddress {
  net::IpAddress address;
  std::uint16_t port = 0;  ///< 1-65535
  /// As written in the configuration (IPv6 in brackets).
  std::string to_string() const {
    return (address.is_v4() ? address.to_string() : "[" + address.to_string() + "]") + ":" +
           std::to_string(port);
  }
  friend bool operator==(const ListenAddress& a, const ListenAddress& b) {
    return a.address == b.address && a.port == b.port;
  }
};

/// Parses ADDRESS:PORT (IPv6 as [ADDRESS]:PORT, port 1-65535); nullopt when malformed.
std::optional<ListenAddress> parse_listen_address(const std::string& text);

/// `global_defs { ... }`.
struct GlobalDefs {
  /// keepalived's router_id; nullopt = not set (keepalived then uses the host name).
  std::optional<std::string> router_id;
  /// `vrrp_version`: the default `version` of every vrrp_instance (keepalived: 2).
  VrrpVersion vrrp_version = VrrpVersion::v2;
  /// redkeep extension: unix socket of `redkeep status` (created mode 0600).
  std::string control_socket = kDefaultControlSocket;
  /// redkeep extension: where redkeep keeps run_id / replication id / offset across restarts.
  std::string state_file = kDefaultStateFile;
  /// redkeep extension: where /metrics (Prometheus text format) is served; nullopt = off.
  std::optional<ListenAddress> metrics_listen;
};

/// The `redis { ... }` block of a vrrp_instance: the local Redis that redkeep health-checks and
/// whose role (REPLICAOF) it switches. Replaces the recipe's vrrp_script and notify_* scripts.
struct RedisSettings {
  std::string host = "127.0.0.1";  ///< address or host name of the local Redis
  std::uint16_t port = 6379;
  std::optional<Secret> password;  ///< AUTH password (`password "..."`)
  std::optional<std::string> password_file;  ///< or a file holding it (read by the daemon)
  std::optional<std::string> user;           ///< ACL user name (Redis >= 6), with password
  std::chrono::milliseconds check_interval{1000};  ///< PING/INFO period (fixed rate)
  std::chrono::milliseconds check_timeout{1000};   ///< per check; always > 0
  unsigned fall = 3;  ///< consecutive failures before Fault (keepalived vrrp_script `fall`)
  unsigned rise = 2;  ///< consecutive successes before healthy again (`rise`)
  /// Redis `min-replicas-to-write` that redkeep sets (CONFIG SET) each time it makes this Redis
  /// master; absent = redkeep leaves it and min-replicas-max-lag alone (Redis's default: off).
  std::optional<unsigned> min_replicas_to_write;
  /// Redis `min-replicas-max-lag`, seconds, set together with min_replicas_to_write (Redis's
  /// default 10).
  unsigned min_replicas_max_lag = 10;
  /// Cold start after a power loss: a node whose Redis restarted with data does not become master
  /// before it compared data with this many members of the cluster, itself included. Absent:
  /// a majority of the members remembered in the state file (1 when none is: a new cluster).
  /// 1: no wait (after twice Master_Down_Interval, the floor priority).
  std::optional<unsigned> cold_start_quorum;
  /// `rename_command ORIGINAL NEW`: the Redis knows ORIGINAL (upper case, one of
  /// redis::commands_sent()) as NEW (redis.conf rename-command, the same on every node).
  std::map<std::string, std::string> rename_command;
  /// `manage_masterauth yes`: at each role change redkeep sets the Redis's masterauth (and
  /// masteruser) to this block's password (and user) with CONFIG SET. Default no.
  bool manage_masterauth = false;
  /// `peer_address ADVERT_SOURCE REDIS_ADDRESS`, repeatable: where the Redis of the node whose
  /// adverts come from ADVERT_SOURCE listens. Without an entry a node's Redis is at its advert
  /// source, which an IPv6 instance cannot use (RFC 5798 section 5.1.2.1: the source is
  /// link-local). The same table on every node; its own entry tells a node which member is
  /// itself.
  std::map<net::IpAddress, net::IpAddress> peer_address;
};

/// `vrrp_script NAME { ... }` (keepalived): a command run every `interval`; after rise/fall its
/// exit status (0 = success) counts in the priority of each instance that tracks it.
struct VrrpScript {
  std::string name;
  /// The command line as written. Split into words as a shell would (quotes, backslashes) and
  /// run directly; a line with shell syntax (pipes, redirections, `$`, globs) runs under
  /// /bin/sh -c (exec/command_line.hpp).
  std::string script;
  std::chrono::milliseconds interval{1000};
  std::chrono::milliseconds timeout{0};  ///< 0 = the interval (keepalived)
  int weight = 0;               ///< -253..253; 0 = the instance is in Fault while it fails
  bool weight_reverse = false;  ///< `weight N reverse`: the adjustment's sign is inverted
  unsigned rise = 1;            ///< successes in a row before a failed script counts as good
  unsigned fall = 1;            ///< failures in a row before a good script counts as failed
  bool init_fail = false;       ///< starts failed (keepalived `init_fail`), else one success is enough
  std::optional<std::string> user;   ///< run as this user (only when redkeep runs as root)
  std::optional<std::string> group;  ///< and group (else the user's)

  /// How long one run may take before it is killed and counts as failed.
  std::chrono::milliseconds effective_timeout() const {
    return timeout.count() > 0 ? timeout : interval;
  }
  friend bool operator==(const VrrpScript& a, const VrrpScript& b) {
    return std::tie(a.name, a.script, a.interval, a.timeout, a.weight, a.weight_reverse, a.rise,
                    a.fall, a.init_fail, a.user, a.group) ==
           std::tie(b.name, b.script, b.interval, b.timeout, b.weight, b.weight_reverse, b.rise,
                    b.fall, b.init_fail, b.user, b.group);
  }
};

/// One `track_script` entry of an instance: the script, with the weight the entry gives it
/// (`NAME weight N [reverse|noreverse]`) or else the script's own.
struct TrackedScript {
  VrrpScript script;
  int weight = 0;
  bool weight_reverse = false;
  friend bool operator==(const TrackedScript& a, const TrackedScript& b) {
    return a.script == b.script && a.weight == b.weight && a.weight_reverse == b.weight_reverse;
  }
};

/// A `notify_*` line: a command line (as VrrpScript::script) and the optional user and group
/// to run it as (keepalived `notify_master "CMD" [USER [GROUP]]`).
struct NotifyScript {
  std::string command;
  std::optional<std::string> user;
  std::optional<std::string> group;
  friend bool operator==(const NotifyScript& a, const NotifyScript& b) {
    return a.command == b.command && a.user == b.user && a.group == b.group;
  }
};

/// The notify scripts of an instance, run at each transition in transition order.
struct NotifyScripts {
  std::optional<NotifyScript> master, backup, fault, stop;
  /// `notify`: run at every transition with `INSTANCE NAME STATE PRIORITY` appended.
  std::optional<NotifyScript> any;
  bool empty() const { return !master && !backup && !fault && !stop && !any; }
  friend bool operator==(const NotifyScripts& a, const NotifyScripts& b) {
    return a.master == b.master && a.backup == b.backup && a.fault == b.fault &&
           a.stop == b.stop && a.any == b.any;
  }
};

/// `vrrp_instance NAME { ... }`, with defaults filled in (keepalived's where it has one).
struct VrrpInstance {
  std::string name;
  InitialState state = InitialState::backup;
  std::string interface;
  std::uint8_t virtual_router_id = 0;  ///< VRID 1..255 (required)
  std::uint8_t priority = 100;         ///< 1..254; 255 (address owner) is refused
  bool nopreempt = false;
  std::chrono::milliseconds preempt_delay{0};  ///< 0..1000 s
  /// Advertisement interval in centiseconds: v2 whole seconds (100..25500), v3 1..4095.
  std::uint16_t advert_int_cs = 100;
  /// Effective version: the instance's `version`, else global_defs `vrrp_version`.
  VrrpVersion version = VrrpVersion::v2;
  AuthType auth_type = AuthType::none;  ///< always none with version 3
  Secret auth_pass;                     ///< at most 8 bytes (longer ones are truncated)
  std::vector<net::IpPrefix> virtual_ipaddress;  ///< at least one; no /LEN = /32 (/128)
  std::optional<net::IpAddress> unicast_src_ip;
  std::vector<net::IpAddress> unicast_peer;  ///< empty = multicast 224.0.0.18
  /// v3 IPv4 only: leave the pseudo-header out of the checksum (keepalived >= 2.2.8 knob).
  bool v3_checksum_as_v2 = false;
  std::chrono::seconds garp_master_delay{5};    ///< second burst of GARPs after becoming master
  unsigned garp_master_repeat = 5;              ///< GARPs per burst
  std::chrono::seconds garp_master_refresh{0};  ///< periodic GARP while master; 0 = off
  unsigned garp_master_refresh_repeat = 1;      ///< GARPs per refresh
  std::optional<RedisSettings> redis;           ///< absent = plain VRRP daemon
  std::vector<TrackedScript> track_script;      ///< resolved against the vrrp_script blocks
  NotifyScripts notify;
};

/// The address family of an instance: its first VIP's, as keepalived decides it (IPv4 when it
/// has none, which validation refuses).
inline net::Family family_of(const VrrpInstance& inst) {
  return inst.virtual_ipaddress.empty() ? net::Family::ipv4
                                        : inst.virtual_ipaddress.front().address.family();
}

/// A whole configuration file.
struct Config {
  GlobalDefs global;
  std::vector<VrrpInstance> instances;  ///< at least one
  std::vector<VrrpScript> scripts;      ///< every vrrp_script block, tracked or not
};

}  // namespace redkeep::config
