#pragma once
// The preflight of a Redis that redkeep will run: every Redis setting that silently breaks
// replication or failover, found from what the local Redis and the members' Redis said
// (gathered by redis/preflight_probe.hpp), each with the setting to change. Used by
// `redkeep check --online` and, once, by the daemon at start. Pure: no I/O.
//
// Sources: redis.conf (masterauth, masteruser, replica-read-only, protected-mode, bind,
// replica-announce-ip/-port, repl-diskless-sync-delay, repl-backlog-size, save, appendonly,
// replica-priority), the ACL docs (ACL DRYRUN, Redis >= 7.0) and the replication docs.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "redis/command_names.hpp"
#include "redis/info.hpp"

namespace redkeep::redis {

/// The local Redis as the preflight saw it.
struct LocalFacts {
  std::string address;                     ///< "127.0.0.1:6379"
  std::optional<std::string> unreachable;  ///< connect or AUTH failed: why (nothing else read)
  /// CONFIG GET of the settings the rules read, by parameter; absent: not read.
  std::map<std::string, std::string> config;
  std::optional<std::string> config_refused;  ///< CONFIG GET's error (NOPERM, renamed)
  ReplicationInfo replication;
  PersistenceInfo persistence;
  /// Commands redkeep sends (original names) that this Redis does not know under the name
  /// redkeep sends them by: renamed or disabled by rename-command.
  std::vector<std::string> unknown_commands;
  /// "REPLICAOF", "CLIENT|KILL", ...: what ACL DRYRUN says redkeep's user may not run.
  std::vector<std::string> denied;
  std::optional<std::string> dryrun_refused;  ///< ACL DRYRUN itself failed: why
  /// Bytes a second of replication stream (master_repl_offset over the sampling time); nullopt
  /// when not measured.
  std::optional<double> write_rate;
};

/// One member's Redis (another node of the cluster) as seen from this node.
struct MemberFacts {
  std::string address;                     ///< "192.0.2.12:6379"
  std::optional<std::string> unreachable;  ///< could not connect or talk: why
  bool requires_auth = false;              ///< PING without AUTH answered NOAUTH
  /// AUTH with this node's masterauth (and masteruser) against it failed: the error.
  std::optional<std::string> masterauth_refused;
  /// What ACL DRYRUN there says masteruser may not run, of PSYNC, REPLCONF and PING.
  std::vector<std::string> masteruser_denied;
};

/// A replica as a master's INFO lists it (ip=, port=), and whether this node reached it.
struct ListedReplica {
  std::string master;                      ///< the master that lists it, "host:port"
  std::string address;                     ///< "ip:port" as listed
  std::optional<std::string> unreachable;  ///< TCP connect failed: why
};

/// Everything the rules read.
struct PreflightFacts {
  LocalFacts local;
  std::vector<MemberFacts> members;
  std::vector<ListedReplica> listed_replicas;
  std::optional<std::string> user;  ///< the redis block's `user` (ACL), else "default"
  bool manage_masterauth = false;   ///< the redis block sets masterauth itself
  CommandRenames renames;           ///< the redis block's rename_command lines
};

/// How much a finding matters: an error breaks replication or failover; a warning slows a
/// failover or loses data in some case; a note is worth knowing.
enum class Severity { error, warning, note };

/// "error", "warning", "note".
const char* to_string(Severity s);

/// One finding.
struct Finding {
  Severity severity = Severity::note;
  std::string where;    ///< whose Redis: "127.0.0.1:6379", "192.0.2.12:6379"
  std::string setting;  ///< "masterauth", "rename_command REPLICAOF", "bind", ...
  std::string text;     ///< what is wrong, what it breaks, and the change to make

  /// "WHERE SETTING": the same cause found again is the same key (logged once).
  std::string key() const { return where + " " + setting; }
  /// "error: 127.0.0.1:6379 masterauth: TEXT"
  std::string to_string() const;
  friend bool operator==(const Finding& a, const Finding& b) {
    return a.severity == b.severity && a.where == b.where && a.setting == b.setting &&
           a.text == b.text;
  }
};

/// The settings the rules read with CONFIG GET.
const std::vector<std::string>& preflight_parameters();

/// The commands (and subcommands) redkeep's own user needs, as ACL DRYRUN takes them; the first
/// word is the command's original name.
const std::vector<std::vector<std::string>>& own_permissions();

/// What masteruser needs on a master (Redis replication docs): PSYNC, REPLCONF, PING.
const std::vector<std::vector<std::string>>& masteruser_permissions();

/// Every finding, errors first, then warnings, then notes; within each, in rule order.
std::vector<Finding> judge_preflight(const PreflightFacts& facts);

/// A size in bytes as Redis writes it in redis.conf when exact ("1mb", "512kb"), else bytes.
std::string format_bytes(std::int64_t bytes);

}  // namespace redkeep::redis
