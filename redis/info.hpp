#pragma once
// Parsing of the INFO command's text (Redis doc "INFO": "# Section" header lines, then
// "field:value" lines, CRLF-terminated) and typed extraction of the fields redkeep acts on.
// Pure; every function accepts any input and never throws.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace redkeep::redis {

/// section name (lower case, e.g. "replication"; "" for fields before any header)
/// -> field name -> raw value.
using InfoSections = std::map<std::string, std::map<std::string, std::string>>;

/// Splits INFO output into sections and fields. Accepts LF or CRLF line ends; ignores empty
/// lines, lines without ':' and comment lines that are not section headers. A value may
/// contain ':' (IPv6 master_host, executable path): only the first ':' separates.
InfoSections parse_info(std::string_view text);

/// The value of `key` in `section`, or in any section when that section lacks it (so the
/// output of a single-section INFO works the same); nullptr when absent.
const std::string* find_info_field(const InfoSections& info, std::string_view section,
                                   std::string_view key);

/// Replication role as INFO reports it ("role:master" / "role:slave").
enum class InfoRole { unknown, master, replica };

/// master_link_status of a replica: "up" or "down".
enum class LinkStatus { up, down };

/// One "slaveN:ip=...,port=...,state=...,offset=...,lag=..." line of a master's INFO.
struct InfoReplica {
  int index = 0;  ///< N of slaveN.
  std::string ip;
  int port = 0;
  std::string state;  ///< "wait_bgsave", "send_bulk", "online", ...
  std::int64_t offset = 0;             ///< replication offset the replica acknowledged.
  std::optional<std::int64_t> lag;     ///< seconds since its last REPLCONF ACK.
};

/// Whether a replica in a master's INFO follows it now: in a sync state (a full sync running),
/// or online with a REPLCONF ACK in the last second (replicas ACK every second). A replica cut
/// off stays "online" until repl-timeout (60 s by default): that is not following.
bool follows_now(const InfoReplica& replica);

/// INFO replication. Absent or unparsable fields stay nullopt / empty.
struct ReplicationInfo {
  InfoRole role = InfoRole::unknown;
  // Replica side.
  std::optional<std::string> master_host;
  std::optional<int> master_port;
  std::optional<LinkStatus> master_link_status;
  std::optional<bool> master_sync_in_progress;
  std::optional<std::int64_t> master_last_io_seconds_ago;  ///< seconds; -1 = no I/O yet.
  std::optional<std::int64_t> master_link_down_since_seconds;
  std::optional<std::int64_t> slave_repl_offset;
  std::optional<std::int64_t> slave_read_repl_offset;  ///< Redis >= 7.0.
  /// slave_priority: the replica-priority setting (0 = never promote), shown by a replica only.
  std::optional<std::int64_t> replica_priority;
  // Master side.
  std::optional<std::int64_t> connected_slaves;
  std::vector<InfoReplica> replicas;  ///< slaveN lines, ordered by N.
  // Both: replication ids and offsets (Redis >= 4.0 PSYNC2).
  std::string master_replid;
  std::string master_replid2;  ///< previous id; all zeros when none.
  std::optional<std::int64_t> master_repl_offset;
  std::optional<std::int64_t> second_repl_offset;  ///< -1 when master_replid2 is unused.
};

/// INFO server: what identifies the running process.
struct ServerInfo {
  std::string run_id;  ///< random per process start: a change means Redis restarted.
  std::string redis_version;
  std::optional<std::int64_t> uptime_in_seconds;
  std::optional<int> tcp_port;
};

/// INFO persistence: what tells a restarted Redis that loaded its data from one that did not.
struct PersistenceInfo {
  std::optional<bool> loading;                              ///< "loading:1" while loading.
  std::optional<bool> async_loading;                        ///< Redis >= 7.0.
  std::optional<std::int64_t> rdb_last_load_keys_loaded;    ///< Redis >= 7.0.
  std::optional<bool> aof_enabled;
  std::optional<std::int64_t> rdb_last_save_time;           ///< Unix time, seconds.
};

/// Parses one slaveN value ("ip=127.0.0.1,port=6380,state=online,offset=14,lag=0"); also the
/// pre-2.8 form "127.0.0.1,6380,online". nullopt when neither ip nor port can be read.
std::optional<InfoReplica> parse_info_replica(std::string_view value);

ReplicationInfo parse_replication_info(const InfoSections& info);
ServerInfo parse_server_info(const InfoSections& info);
PersistenceInfo parse_persistence_info(const InfoSections& info);

inline ReplicationInfo parse_replication_info(std::string_view text) {
  return parse_replication_info(parse_info(text));
}
inline ServerInfo parse_server_info(std::string_view text) {
  return parse_server_info(parse_info(text));
}
inline PersistenceInfo parse_persistence_info(std::string_view text) {
  return parse_persistence_info(parse_info(text));
}

const char* to_string(InfoRole role);

}  // namespace redkeep::redis
