#pragma once
// The Redis commands redkeep issues, one thin function each, over a Connection. Each blocks up
// to the connection's command timeout per round trip.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "redis/client_list.hpp"
#include "redis/connection.hpp"
#include "redis/failure.hpp"
#include "redis/history.hpp"
#include "redis/info.hpp"
#include "redis/role.hpp"
#include "redis/sync_gate.hpp"

namespace redkeep::redis {

/// PING; ok only on the status reply PONG (what the recipe's redis_check.sh tested).
Status ping(Connection& conn);

/// INFO <section...>, parsed. Redis >= 7.0 takes several sections in one call; an older Redis
/// answers "ERR syntax error" to that, and then each section is fetched on its own.
/// An empty list means plain INFO (the default sections).
Result<InfoSections> info(Connection& conn, const std::vector<std::string>& sections);

/// ROLE, parsed. An unexpected reply shape is Failure::other.
Result<Role> role(Connection& conn);

/// REPLICAOF NO ONE: become master (falls back to SLAVEOF NO ONE on unknown_command).
Status replicaof_no_one(Connection& conn);

/// REPLICAOF host port (Redis >= 5) to the master the gate permitted (judge_sync); SLAVEOF
/// host port when REPLICAOF is unknown (older Redis or rename-command). NOPERM is returned as
/// is: SLAVEOF needs the same ACL permission.
Status replicaof(Connection& conn, SyncPermit&& permit);

/// REPLICAOF kNowhereHost kNowherePort (redis/sync_gate.hpp; SLAVEOF as for replicaof).
Status replicaof_nowhere(Connection& conn);

/// The role redkeep wants the local Redis to have.
struct ExpectedRole {
  Role::Kind kind = Role::Kind::master;
  std::string master_host;  ///< replica only: as passed to REPLICAOF.
  int master_port = 0;      ///< replica only.

  static ExpectedRole master() { return ExpectedRole{}; }
  static ExpectedRole replica_of(std::string host, int port) {
    return ExpectedRole{Role::Kind::replica, std::move(host), port};
  }
};

/// True when `actual` is what `expected` asks for: same kind and, for a replica, the same
/// master host and port (whatever the link state: the link may still be connecting).
bool role_matches(const Role& actual, const ExpectedRole& expected);

/// Reads ROLE and compares it with `expected`: ok(true) when it matches, ok(false) when Redis
/// has another role, an Error when ROLE itself failed.
Result<bool> verify_role(Connection& conn, const ExpectedRole& expected);

/// CLIENT LIST, then CLIENT KILL ID <id> for every client that should_kill_on_demotion()
/// (all but redkeep-* named ones and replication links). Returns how many were killed; a
/// client that went away in between ("ERR No such client") is not counted and not an error.
Result<std::size_t> kill_clients_except_redkeep(Connection& conn);

/// CLIENT LIST, parsed. Errors: the CLIENT error (noperm under an ACL without +client).
Result<std::vector<ClientEntry>> list_clients(Connection& conn);

/// CLIENT PAUSE ms WRITE (Redis >= 6.2): write commands of normal clients wait until `pause`
/// (milliseconds) has passed or CLIENT UNPAUSE; reads and replication go on, and the offset
/// stops moving. Errors: noperm (ACL without +client|pause), other ("ERR syntax error" from a
/// Redis older than 6.2, which knows only the pause of all commands). Redis doc: CLIENT PAUSE.
Status pause_writes(Connection& conn, std::chrono::milliseconds pause);

/// CLIENT UNPAUSE (Redis >= 6.2). Errors: noperm (ACL without +client|unpause). Redis doc:
/// CLIENT UNPAUSE.
Status unpause(Connection& conn);

/// CONFIG SET parameter value (e.g. masterauth, replica-serve-stale-data).
Status config_set(Connection& conn, const std::string& parameter, const std::string& value);

/// Up to `max` key names of the connection's selected database: SCAN from cursor 0, at most 10
/// calls (COUNT 100). A sample to compare data sets with, not all keys: a name may come twice
/// (SCAN's guarantee), names over 1 KiB and non-string elements are skipped. Errors: the SCAN
/// error (noperm under an ACL without +scan, masterdown on a stale replica), or other for a
/// reply of an unexpected shape. Redis doc: SCAN.
Result<std::vector<std::string>> sample_keys(Connection& conn, std::size_t max);

/// EXISTS key... in the selected database: how many of `keys` exist (a name given twice counts
/// twice); 0 for no keys. Errors: the EXISTS error, or other for a non-integer reply. Redis
/// doc: EXISTS.
Result<std::int64_t> count_existing(Connection& conn, const std::vector<std::string>& keys);

/// Samples the keys of `own` in every database that has some by `mine` (its INFO keyspace; 64
/// names in all, at least 16 a database) and asks `other` which it lacks (SCAN, EXISTS). Leaves
/// both connections on database 0. Errors: the first failing call's.
Result<KeySample> sample_against(Connection& own, Connection& other, const InfoSections& mine);

/// SELECT db (0-15 by default) for the rest of this connection. Redis doc: SELECT.
Status select_db(Connection& conn, int db);

/// CONFIG SET min-replicas-to-write N, then min-replicas-max-lag S (seconds): two calls, since
/// Redis < 7.0 takes one parameter per CONFIG SET. An error names the parameter it failed on. Redis docs: "Allow writes only with N
/// attached replicas"; a master then answers -NOREPLICAS while fewer than N replicas have
/// acknowledged within S seconds.
Status set_min_replicas(Connection& conn, unsigned to_write, unsigned max_lag_s);

/// CONFIG GET parameter (one exact name, no glob: Redis < 7 takes one per call): its value, or
/// nullopt when this Redis has no such parameter. Errors: noperm (ACL without +config|get),
/// unknown_command (CONFIG renamed without rename_command). Redis doc: CONFIG GET.
Result<std::optional<std::string>> config_get(Connection& conn, const std::string& parameter);

/// manage_masterauth: CONFIG SET masterauth PASSWORD, then masteruser USER ("" without one;
/// skipped on a Redis < 6 that has no masteruser when there is no user), so that this Redis
/// authenticates to the master it replicates (the redis block's credentials are the members'
/// too). Errors name the parameter and never contain the password. Redis doc: redis.conf
/// "masterauth", "masteruser".
Status set_masterauth(Connection& conn, const std::string& password,
                      const std::optional<std::string>& user);

}  // namespace redkeep::redis
