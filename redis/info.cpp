#include "redis/info.hpp"

#include <algorithm>
#include <cctype>
#include <limits>

#include "redis/reply.hpp"

namespace redkeep::redis {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<std::int64_t> int_field(const InfoSections& info, std::string_view section,
                                      std::string_view key) {
  const std::string* v = find_info_field(info, section, key);
  if (!v) return std::nullopt;
  return parse_int64(*v);
}

std::optional<int> port_value(std::string_view text) {
  auto v = parse_int64(text);
  if (!v || *v < 0 || *v > 65535) return std::nullopt;
  return static_cast<int>(*v);
}

std::optional<int> port_field(const InfoSections& info, std::string_view section,
                              std::string_view key) {
  const std::string* v = find_info_field(info, section, key);
  if (!v) return std::nullopt;
  return port_value(*v);
}

// INFO flags are "0"/"1"; anything else is treated as unknown rather than guessed.
std::optional<bool> bool_field(const InfoSections& info, std::string_view section,
                               std::string_view key) {
  auto v = int_field(info, section, key);
  if (!v || (*v != 0 && *v != 1)) return std::nullopt;
  return *v == 1;
}

std::string string_field(const InfoSections& info, std::string_view section,
                         std::string_view key) {
  const std::string* v = find_info_field(info, section, key);
  return v ? *v : std::string();
}

// "slave12" -> 12; nullopt for "slave_repl_offset", "slave_priority", ...
std::optional<int> slave_index(std::string_view key) {
  constexpr std::string_view prefix = "slave";
  if (key.size() <= prefix.size() || key.substr(0, prefix.size()) != prefix) return std::nullopt;
  auto digits = key.substr(prefix.size());
  if (!std::all_of(digits.begin(), digits.end(),
                   [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    return std::nullopt;
  }
  auto v = parse_int64(digits);
  if (!v || *v > std::numeric_limits<int>::max()) return std::nullopt;
  return static_cast<int>(*v);
}

}  // namespace

InfoSections parse_info(std::string_view text) {
  InfoSections out;
  std::string section;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    line = trim(line);
    if (line.empty()) continue;
    if (line.front() == '#') {
      auto name = trim(line.substr(1));
      // A section header is one word ("# Replication"); other comments are ignored.
      if (!name.empty() && name.find_first_of(" \t") == std::string_view::npos) {
        section = lower(name);
      }
      continue;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) continue;
    const std::string key(trim(line.substr(0, colon)));
    out[section][key] = std::string(trim(line.substr(colon + 1)));
  }
  return out;
}

const std::string* find_info_field(const InfoSections& info, std::string_view section,
                                   std::string_view key) {
  const std::string k(key);
  auto s = info.find(std::string(section));
  if (s != info.end()) {
    auto f = s->second.find(k);
    if (f != s->second.end()) return &f->second;
  }
  for (const auto& [name, fields] : info) {
    auto f = fields.find(k);
    if (f != fields.end()) return &f->second;
  }
  return nullptr;
}

std::optional<InfoReplica> parse_info_replica(std::string_view value) {
  InfoReplica r;
  bool have_ip = false;
  bool have_port = false;
  std::vector<std::string_view> parts;
  while (true) {
    const auto comma = value.find(',');
    parts.push_back(trim(value.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    value = value.substr(comma + 1);
  }
  const bool keyed = !parts.empty() && parts.front().find('=') != std::string_view::npos;
  if (keyed) {
    for (auto part : parts) {
      const auto eq = part.find('=');
      if (eq == std::string_view::npos) continue;
      auto k = part.substr(0, eq);
      auto v = part.substr(eq + 1);
      if (k == "ip") {
        r.ip = std::string(v);
        have_ip = !v.empty();
      } else if (k == "port") {
        if (auto p = port_value(v)) {
          r.port = *p;
          have_port = true;
        }
      } else if (k == "state") {
        r.state = std::string(v);
      } else if (k == "offset") {
        r.offset = parse_int64(v).value_or(0);
      } else if (k == "lag") {
        r.lag = parse_int64(v);
      }
    }
  } else if (parts.size() >= 3) {  // Redis < 2.8: "ip,port,state".
    r.ip = std::string(parts[0]);
    have_ip = !r.ip.empty();
    if (auto p = port_value(parts[1])) {
      r.port = *p;
      have_port = true;
    }
    r.state = std::string(parts[2]);
  }
  if (!have_ip || !have_port) return std::nullopt;
  return r;
}

ReplicationInfo parse_replication_info(const InfoSections& info) {
  constexpr std::string_view s = "replication";
  ReplicationInfo r;
  const std::string role = string_field(info, s, "role");
  if (role == "master") {
    r.role = InfoRole::master;
  } else if (role == "slave" || role == "replica") {
    r.role = InfoRole::replica;
  }
  if (const std::string* v = find_info_field(info, s, "master_host")) r.master_host = *v;
  r.master_port = port_field(info, s, "master_port");
  const std::string link = string_field(info, s, "master_link_status");
  if (link == "up") {
    r.master_link_status = LinkStatus::up;
  } else if (link == "down") {
    r.master_link_status = LinkStatus::down;
  }
  r.master_sync_in_progress = bool_field(info, s, "master_sync_in_progress");
  r.master_last_io_seconds_ago = int_field(info, s, "master_last_io_seconds_ago");
  r.master_link_down_since_seconds = int_field(info, s, "master_link_down_since_seconds");
  r.slave_repl_offset = int_field(info, s, "slave_repl_offset");
  r.slave_read_repl_offset = int_field(info, s, "slave_read_repl_offset");
  r.replica_priority = int_field(info, s, "slave_priority");
  r.connected_slaves = int_field(info, s, "connected_slaves");
  r.master_replid = string_field(info, s, "master_replid");
  r.master_replid2 = string_field(info, s, "master_replid2");
  r.master_repl_offset = int_field(info, s, "master_repl_offset");
  r.second_repl_offset = int_field(info, s, "second_repl_offset");

  // slaveN lines live in the replication section; take them from there only, or from the
  // unnamed section when the text had no header.
  for (const char* name : {"replication", ""}) {
    auto sec = info.find(name);
    if (sec == info.end()) continue;
    for (const auto& [key, value] : sec->second) {
      auto index = slave_index(key);
      if (!index) continue;
      if (auto replica = parse_info_replica(value)) {
        replica->index = *index;
        r.replicas.push_back(std::move(*replica));
      }
    }
    if (!r.replicas.empty()) break;
  }
  std::sort(r.replicas.begin(), r.replicas.end(),
            [](const InfoReplica& a, const InfoReplica& b) { return a.index < b.index; });
  return r;
}

ServerInfo parse_server_info(const InfoSections& info) {
  constexpr std::string_view s = "server";
  ServerInfo r;
  r.run_id = string_field(info, s, "run_id");
  r.redis_version = string_field(info, s, "redis_version");
  r.uptime_in_seconds = int_field(info, s, "uptime_in_seconds");
  r.tcp_port = port_field(info, s, "tcp_port");
  return r;
}

PersistenceInfo parse_persistence_info(const InfoSections& info) {
  constexpr std::string_view s = "persistence";
  PersistenceInfo r;
  r.loading = bool_field(info, s, "loading");
  r.async_loading = bool_field(info, s, "async_loading");
  r.rdb_last_load_keys_loaded = int_field(info, s, "rdb_last_load_keys_loaded");
  r.aof_enabled = bool_field(info, s, "aof_enabled");
  r.rdb_last_save_time = int_field(info, s, "rdb_last_save_time");
  return r;
}

const char* to_string(InfoRole role) {
  switch (role) {
    case InfoRole::master:
      return "master";
    case InfoRole::replica:
      return "replica";
    case InfoRole::unknown:
      return "unknown";
  }
  return "unknown";
}

bool follows_now(const InfoReplica& replica) {
  return replica.state != "online" || replica.lag.value_or(0) <= 1;
}

}  // namespace redkeep::redis
