#include "redis/preflight.hpp"

#include <algorithm>
#include <array>

namespace redkeep::redis {

namespace {

/// A finding's text grows clause by clause; the rules read like the docs they follow.
struct Findings {
  std::vector<Finding> out;
  void add(Severity s, const std::string& where, const std::string& setting, std::string text) {
    out.push_back(Finding{s, where, setting, std::move(text)});
  }
};

std::optional<std::string> config_value(const LocalFacts& local, const std::string& name) {
  auto it = local.config.find(name);
  if (it == local.config.end()) return std::nullopt;
  return it->second;
}

std::optional<std::int64_t> config_number(const LocalFacts& local, const std::string& name) {
  auto v = config_value(local, name);
  if (!v || v->empty()) return std::nullopt;
  try {
    return std::stoll(*v);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

std::string joined(const std::vector<std::string>& items, const std::string& sep = ", ") {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : sep) + i;
  return out;
}

bool loopback(const std::string& address) {
  std::string a = address;
  if (!a.empty() && a[0] == '-') a.erase(0, 1);  // "-::1": optional address
  return a.rfind("127.", 0) == 0 || a == "::1" || a == "localhost";
}

std::vector<std::string> words(const std::string& text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto start = text.find_first_not_of(' ', i);
    if (start == std::string::npos) break;
    const auto end = text.find(' ', start);
    out.push_back(text.substr(start, end - start));
    i = end == std::string::npos ? text.size() : end;
  }
  return out;
}

// ---- rules: one function per kind of setting ---------------------------------------------

void commands_known(const PreflightFacts& f, Findings& out) {
  const auto& local = f.local;
  const auto& unknown = local.unknown_commands;
  const bool replicaof = contains(unknown, "REPLICAOF");
  const bool slaveof = contains(unknown, "SLAVEOF");
  if (replicaof && slaveof) {
    out.add(Severity::error, local.address, "rename_command REPLICAOF",
            "REPLICAOF and SLAVEOF are both unknown under the names redkeep sends (renamed or "
            "disabled by rename-command in redis.conf): redkeep cannot switch this Redis's role. "
            "Add `rename_command REPLICAOF NEW_NAME` to the redis block (the same on every node)");
  }
  for (const auto& c : unknown) {
    if (c == "REPLICAOF" || c == "SLAVEOF") continue;
    const bool data_only = c == "SCAN" || c == "EXISTS" || c == "SELECT";
    const bool preflight_only = c == "ACL" || c == "COMMAND";
    const Severity s = preflight_only ? Severity::note
                       : data_only    ? Severity::warning
                                      : Severity::error;
    std::string why = preflight_only ? "this preflight cannot use it"
                      : data_only    ? "data comparisons fall back to key counts"
                                     : "redkeep needs it";
    const auto renamed = f.renames.find(c);
    out.add(s, local.address, "rename_command " + c,
            renamed != f.renames.end()
                ? c + " is unknown as " + renamed->second + " (rename_command " + c + " " +
                      renamed->second + "): " + why + ". Give rename_command the name " + c +
                      " has in redis.conf's rename-command"
                : c +
                      " is unknown under the name redkeep sends (renamed or disabled by "
                      "rename-command in redis.conf): " +
                      why + ". Add `rename_command " + c + " NEW_NAME` to the redis block");
  }
}

void own_acl(const PreflightFacts& f, Findings& out) {
  const auto& local = f.local;
  const std::string user = f.user.value_or("default");
  if (!local.denied.empty()) {
    std::string grant;
    for (const auto& d : local.denied) {
      std::string lower = d;
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
      grant += " +" + lower;
    }
    // Key commands also need the key pattern.
    if (contains(local.denied, "scan") || contains(local.denied, "exists")) grant += " ~*";
    out.add(Severity::error, local.address, "ACL user " + user,
            "redkeep's ACL user '" + user + "' may not run " + joined(local.denied) +
                " (ACL DRYRUN): Redis answers NOPERM when redkeep needs it. ACL SETUSER " + user +
                grant + " (redis/README.md lists every permission)");
  }
  if (local.dryrun_refused) {
    out.add(Severity::note, local.address, "ACL DRYRUN",
            "permissions not verified (ACL DRYRUN: " + *local.dryrun_refused +
                "): a permission redkeep's user lacks shows as NOPERM in the log on first use");
  }
}

void auth_to_master(const PreflightFacts& f, Findings& out) {
  const auto& local = f.local;
  const auto masterauth = config_value(local, "masterauth");
  const auto masteruser = config_value(local, "masteruser");
  const auto requirepass = config_value(local, "requirepass");
  std::vector<std::string> requiring;
  for (const auto& m : f.members)
    if (!m.unreachable && m.requires_auth) requiring.push_back(m.address);
  const bool masterauth_unset = masterauth && masterauth->empty();
  if (masterauth_unset && !f.manage_masterauth) {
    const std::string fix =
        " Set masterauth (and masteruser with ACL users) in redis.conf, or `manage_masterauth "
        "yes` in the redis block to have redkeep set it from the block's password";
    if (!requiring.empty()) {
      out.add(Severity::error, local.address, "masterauth",
              "masterauth is not set, but the Redis of " + joined(requiring) +
                  (requiring.size() == 1 ? " requires" : " require") +
                  " a password: this Redis cannot sync from " +
                  (requiring.size() == 1 ? "it once it is its" : "them once it is their") +
                  " replica (PSYNC answered NOAUTH; redkeep sees only 'has not completed a "
                  "sync')." +
                  fix);
    } else if (requirepass && !requirepass->empty()) {
      out.add(Severity::warning, local.address, "masterauth",
              "masterauth is not set while requirepass is: if the other nodes' Redis require "
              "the same password, this Redis cannot sync from them." +
                  fix);
    }
  }
  const std::string as =
      masteruser && !masteruser->empty() ? " as masteruser '" + *masteruser + "'" : std::string();
  for (const auto& m : f.members) {
    if (m.masterauth_refused) {
      out.add(Severity::error, local.address, "masterauth",
              "AUTH with this node's masterauth" + as + " fails on " + m.address + " (" +
                  *m.masterauth_refused +
                  "): this node's Redis cannot sync from it. Make masterauth" +
                  (as.empty() ? "" : "/masteruser") + " match its password" +
                  (as.empty() ? " (requirepass)" : " (its ACL user)"));
    }
    if (!m.masteruser_denied.empty() && masteruser) {
      out.add(Severity::error, m.address, "masteruser",
              "its ACL does not let masteruser '" + *masteruser + "' run " +
                  joined(m.masteruser_denied) +
                  " (ACL DRYRUN): this node's Redis cannot sync from it. ACL SETUSER " +
                  *masteruser + " +psync +replconf +ping");
    }
  }
}

void reachability(const PreflightFacts& f, Findings& out) {
  const auto listed_unreachable = [&](const std::string& address) {
    return std::any_of(
        f.listed_replicas.begin(), f.listed_replicas.end(),
        [&](const ListedReplica& r) { return r.unreachable && r.address == address; });
  };
  for (const auto& m : f.members) {
    if (m.unreachable && !listed_unreachable(m.address))  // said below, with its cause
      out.add(Severity::error, m.address, "reachable",
              "this node cannot talk to that Redis (" + *m.unreachable +
                  "): it can neither replicate from it nor compare data with it. Check its "
                  "bind, protected-mode and firewall");
  }
  for (const auto& r : f.listed_replicas) {
    if (r.unreachable)
      out.add(Severity::error, r.address, "replica-announce-ip",
              r.master + " lists a replica at " + r.address + ", which this node cannot reach (" +
                  *r.unreachable +
                  "): the fellow-replica comparison and the cold start ask replicas at the "
                  "address the master lists. Set replica-announce-ip/replica-announce-port on "
                  "that replica to an address the other nodes reach (Docker, NAT)");
  }
  const auto& local = f.local;
  if (auto bind = config_value(local, "bind"); bind) {
    const auto addresses = words(*bind);
    if (!addresses.empty() && std::all_of(addresses.begin(), addresses.end(), loopback))
      out.add(Severity::error, local.address, "bind",
              "bind " + *bind +
                  ": only this host can connect, so the other nodes' Redis cannot replicate from "
                  "this one and their redkeep cannot reach it. Bind the node's address too "
                  "(bind 127.0.0.1 NODE_ADDRESS)");
  }
  const auto protected_mode = config_value(local, "protected-mode");
  const auto requirepass = config_value(local, "requirepass");
  if (protected_mode == std::optional<std::string>("yes") && requirepass && requirepass->empty())
    out.add(Severity::error, local.address, "protected-mode",
            "protected-mode yes with no password on the default user: Redis refuses every "
            "connection that is not from this host (-DENIED), the other nodes' included. Set "
            "requirepass (and the same password in the redis block and masterauth), or "
            "protected-mode no on a private network");
}

void replication_settings(const PreflightFacts& f, Findings& out) {
  const auto& local = f.local;
  if (config_value(local, "replica-read-only") == std::optional<std::string>("no"))
    out.add(Severity::warning, local.address, "replica-read-only",
            "replica-read-only no: a client that reaches this Redis while it is a replica writes "
            "keys the master never sees, and the next sync drops them. Set replica-read-only yes");
  const auto diskless = config_value(local, "repl-diskless-sync");
  const auto delay = config_number(local, "repl-diskless-sync-delay");
  if (diskless == std::optional<std::string>("yes") && delay && *delay > 0)
    out.add(Severity::warning, local.address, "repl-diskless-sync-delay",
            "repl-diskless-sync-delay " + std::to_string(*delay) +
                ": a full sync from this Redis as master waits " + std::to_string(*delay) +
                " s for more replicas before it starts, so a replica that cannot continue by "
                "PSYNC after a failover is without data that much longer. Set it to 0");
  const auto backlog = config_number(local, "repl-backlog-size");
  if (backlog && local.write_rate && *local.write_rate > 0) {
    const double seconds = static_cast<double>(*backlog) / *local.write_rate;
    if (seconds < 60) {
      char figure[64];
      std::snprintf(figure, sizeof figure, "%.1f s of writes at the current %.0f bytes/s", seconds,
                    *local.write_rate);
      out.add(Severity::warning, local.address, "repl-backlog-size",
              "repl-backlog-size " + format_bytes(*backlog) + " holds " + figure +
                  ": a replica cut off for longer (a network blip, a restart) needs a full sync "
                  "instead of PSYNC. Raise it to the write rate times the outage to ride out");
    }
  }
  if (config_number(local, "replica-priority") == std::optional<std::int64_t>(0))
    out.add(Severity::note, local.address, "replica-priority",
            "replica-priority 0: this node never takes Master (Redis's never-promote, which "
            "redkeep follows); a Master whose Redis gets it leaves at once");
}

void persistence(const PreflightFacts& f, Findings& out) {
  const auto& local = f.local;
  const auto save = config_value(local, "save");
  const auto appendonly = config_value(local, "appendonly");
  if (!save || !appendonly) return;
  const bool rdb = !save->empty();
  const bool aof = *appendonly == "yes";
  if (!rdb && !aof) {
    out.add(Severity::warning, local.address, "save",
            "persistence is off (save \"\", appendonly no): a restarted Redis comes back empty. "
            "redkeep keeps it a replica of nowhere until it has a role, and it copies the "
            "master's data then; if every node restarts at once (a power loss), the data is "
            "gone. Set appendonly yes or save points");
  } else if (!rdb && aof) {
    out.add(Severity::note, local.address, "save",
            "AOF only (appendonly yes, save \"\"): a restart reloads the AOF, with the writes up "
            "to its last fsync (appendfsync); the cold start compares that data with the "
            "members' before this node may lead");
  }
}

}  // namespace

const char* to_string(Severity s) {
  switch (s) {
    case Severity::error:
      return "error";
    case Severity::warning:
      return "warning";
    case Severity::note:
      return "note";
  }
  return "note";
}

std::string Finding::to_string() const {
  return std::string(redis::to_string(severity)) + ": " + where + " " + setting + ": " + text;
}

const std::vector<std::string>& preflight_parameters() {
  static const std::vector<std::string> names{"masterauth",          "masteruser",
                                              "requirepass",         "replica-read-only",
                                              "protected-mode",      "bind",
                                              "repl-diskless-sync",  "repl-diskless-sync-delay",
                                              "repl-backlog-size",   "save",
                                              "appendonly",          "replica-priority",
                                              "replica-announce-ip", "replica-announce-port"};
  return names;
}

const std::vector<std::vector<std::string>>& own_permissions() {
  static const std::vector<std::vector<std::string>> commands{
      {"PING"},
      {"INFO"},
      {"ROLE"},
      {"REPLICAOF", "NO", "ONE"},
      {"CLIENT", "LIST"},
      {"CLIENT", "KILL", "ID", "1"},
      {"CLIENT", "PAUSE", "1", "WRITE"},
      {"CLIENT", "UNPAUSE"},
      {"CONFIG", "SET", "min-replicas-to-write", "0"},
      {"CONFIG", "GET", "replica-priority"},
      {"SCAN", "0"},
      {"EXISTS", "k"},
      {"SELECT", "0"}};
  return commands;
}

const std::vector<std::vector<std::string>>& masteruser_permissions() {
  static const std::vector<std::vector<std::string>> commands{
      {"PSYNC", "?", "-1"}, {"REPLCONF", "listening-port", "6379"}, {"PING"}};
  return commands;
}

std::vector<Finding> judge_preflight(const PreflightFacts& f) {
  Findings out;
  if (f.local.unreachable) {
    out.add(Severity::error, f.local.address, "connection",
            "cannot check this Redis: " + *f.local.unreachable);
    return out.out;
  }
  if (f.local.config_refused)
    out.add(Severity::warning, f.local.address, "CONFIG GET",
            "its settings could not be read (" + *f.local.config_refused +
                "): add +config|get to redkeep's ACL user (or rename_command CONFIG); "
                "replica-priority 0 is then seen only while this Redis is a replica");
  commands_known(f, out);
  own_acl(f, out);
  auth_to_master(f, out);
  reachability(f, out);
  replication_settings(f, out);
  persistence(f, out);
  std::stable_sort(out.out.begin(), out.out.end(), [](const Finding& a, const Finding& b) {
    return static_cast<int>(a.severity) < static_cast<int>(b.severity);
  });
  return out.out;
}

std::string format_bytes(std::int64_t bytes) {
  constexpr std::array<std::pair<std::int64_t, const char*>, 3> units{
      {{1LL << 30, "gb"}, {1LL << 20, "mb"}, {1LL << 10, "kb"}}};
  for (const auto& [size, unit] : units)
    if (bytes >= size && bytes % size == 0) return std::to_string(bytes / size) + unit;
  return std::to_string(bytes);
}

}  // namespace redkeep::redis
