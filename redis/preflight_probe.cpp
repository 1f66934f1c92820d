#include "redis/preflight_probe.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>
#include <thread>

#include "redis/connection.hpp"
#include "redis/operations.hpp"
#include "redis/sync_gate.hpp"
#include "net/ip_address.hpp"

namespace redkeep::redis {

namespace {

std::string address_of(const std::string& host, int port) {
  return net::host_port(host, port);
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

/// The ACL name of a command line: "replicaof", "client|kill".
std::string acl_name(const std::vector<std::string>& argv) {
  const std::string name = lower(argv[0]);
  const bool container = name == "client" || name == "config";
  return container && argv.size() > 1 ? name + "|" + lower(argv[1]) : name;
}

Result<Connection> open(const PreflightTarget& t, const std::string& host, int port,
                        const Access& access, const std::string& client_name) {
  return Connection::open(host, port, t.timeout, t.timeout, access, client_name);
}

/// A command redkeep sends, in a form that does nothing: with no arguments (an arity error),
/// or a read-only form for those that run without any.
std::vector<std::string> harmless_form(const std::string& command) {
  if (command == "COMMAND") return {"COMMAND", "COUNT"};
  return {command};
}

void read_config(Connection& conn, LocalFacts& local) {
  for (const auto& name : preflight_parameters()) {
    auto v = config_get(conn, name);
    if (!v) {
      local.config_refused = v.error().message;
      return;
    }
    if (v.value()) local.config[name] = *v.value();
  }
}

void find_unknown_commands(Connection& conn, LocalFacts& local) {
  for (const auto& c : commands_sent()) {
    if (c == "AUTH") continue;  // spoken at connect already (a renamed AUTH fails there)
    auto r = conn.command(harmless_form(c));
    if (!r && r.failure() == Failure::unknown_command) local.unknown_commands.push_back(c);
    if (conn.is_broken()) return;
  }
}

/// ACL DRYRUN `user` for each command line: the ones refused. nullopt (with `why`) when ACL
/// DRYRUN itself cannot run (Redis < 7, or the caller's user lacks +acl|dryrun).
std::optional<std::vector<std::string>> dryrun(Connection& conn, const std::string& user,
                                               const std::vector<std::vector<std::string>>& lines,
                                               const CommandRenames& renames, std::string& why) {
  std::vector<std::string> denied;
  for (const auto& line : lines) {
    std::vector<std::string> argv{"ACL", "DRYRUN", user, command_name(renames, line[0])};
    argv.insert(argv.end(), line.begin() + 1, line.end());
    auto r = conn.command(argv);
    if (!r) {
      // "ERR Command 'x' not found": renamed without rename_command, said elsewhere.
      if (r.error().message.find("Command '") != std::string::npos &&
          r.error().message.find("not found") != std::string::npos)
        continue;
      // "ERR User 'x' not found": that user may run nothing there.
      if (r.error().message.find("User '") != std::string::npos &&
          r.error().message.find("not found") != std::string::npos)
        return std::vector<std::string>{"anything (no such user there)"};
      why = r.error().message;
      return std::nullopt;
    }
    const Reply& reply = r.value();
    if (!(reply.type == Reply::Type::status && reply.str == "OK")) denied.push_back(acl_name(line));
  }
  return denied;
}

void measure_write_rate(Connection& conn, const PreflightTarget& t, LocalFacts& local) {
  if (t.rate_sample.count() <= 0) return;
  const auto before = local.replication.master_repl_offset;
  const auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < t.rate_sample) {
    if (t.stop && *t.stop) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  auto again = info(conn, {"replication"});
  if (!again || !before) return;
  const auto after = parse_replication_info(again.value()).master_repl_offset;
  if (!after) return;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  local.write_rate = static_cast<double>(std::max<std::int64_t>(0, *after - *before)) / seconds;
}

/// The replicas the master lists (the local Redis as master, else its master), each tried
/// with a TCP connect (an AUTH refusal still means reachable).
void probe_listed_replicas(const PreflightTarget& t, PreflightFacts& facts) {
  const auto& repl = facts.local.replication;
  std::vector<InfoReplica> listed;
  std::string master = facts.local.address;
  if (repl.role == InfoRole::master) {
    listed = repl.replicas;
  } else if (repl.master_host && repl.master_port &&
             !is_nowhere(*repl.master_host, *repl.master_port)) {
    master = address_of(*repl.master_host, *repl.master_port);
    auto c = open(t, *repl.master_host, *repl.master_port, t.access, "redkeep-preflight");
    if (!c) return;  // the member's own finding says why
    auto i = info(c.value(), {"replication"});
    if (!i) return;
    listed = parse_replication_info(i.value()).replicas;
  }
  for (const auto& r : listed) {
    if (t.stop && *t.stop) return;
    ListedReplica l{master, address_of(r.ip, r.port), std::nullopt};
    auto c = open(t, r.ip, r.port, Access{std::nullopt, std::nullopt, t.access.renames}, "");
    if (!c) l.unreachable = c.error().message;
    facts.listed_replicas.push_back(std::move(l));
  }
}

}  // namespace

MemberFacts probe_member(const PreflightTarget& t, const std::string& host, int port,
                         const LocalFacts& local) {
  MemberFacts m;
  m.address = address_of(host, port);
  // Without credentials first: does it need a password at all, does it let us in?
  auto bare = open(t, host, port, Access{std::nullopt, std::nullopt, t.access.renames}, "");
  if (!bare) {
    m.unreachable = bare.error().message;
    return m;
  }
  auto pong = ping(bare.value());
  if (!pong) {
    if (pong.error().message.rfind("DENIED", 0) == 0) {
      m.unreachable = "protected mode: -DENIED";
      return m;
    }
    m.requires_auth = pong.failure() == Failure::auth;
    // LOADING, BUSY and MASTERDOWN are a Redis that answers; anything else is not one.
    const auto f = pong.failure();
    if (!m.requires_auth && f != Failure::loading && f != Failure::busy &&
        f != Failure::masterdown) {
      m.unreachable = "PING: " + pong.error().message;
      return m;
    }
  }
  const auto masterauth = local.config.find("masterauth");
  const auto masteruser = local.config.find("masteruser");
  std::optional<std::string> user;
  if (masteruser != local.config.end() && !masteruser->second.empty()) user = masteruser->second;
  if (m.requires_auth && masterauth != local.config.end() && !masterauth->second.empty()) {
    auto a = open(t, host, port, Access{user, masterauth->second, t.access.renames}, "");
    if (!a && a.failure() == Failure::auth) m.masterauth_refused = a.error().message;
  }
  if (user) {
    auto c = open(t, host, port, t.access, "redkeep-preflight");
    std::string why;
    if (c) {
      if (auto denied = dryrun(c.value(), *user, masteruser_permissions(), t.access.renames, why))
        m.masteruser_denied = *denied;
    }
  }
  return m;
}

PreflightFacts probe_preflight(const PreflightTarget& t) {
  PreflightFacts facts;
  facts.user = t.access.user;
  facts.manage_masterauth = t.manage_masterauth;
  facts.renames = t.access.renames;
  LocalFacts& local = facts.local;
  local.address = address_of(t.host, t.port);
  auto c = open(t, t.host, t.port, t.access, "redkeep-preflight");
  if (!c) {
    local.unreachable = c.error().message;
    return facts;
  }
  Connection& conn = c.value();
  read_config(conn, local);
  // manage_masterauth: redkeep sets masterauth/masteruser from the block at each role change:
  // those are what the members must accept.
  if (t.manage_masterauth && t.access.password) {
    local.config["masterauth"] = *t.access.password;
    local.config["masteruser"] = t.access.user.value_or("");
  }
  if (auto i = info(conn, {"replication", "persistence"})) {
    local.replication = parse_replication_info(i.value());
    local.persistence = parse_persistence_info(i.value());
  }
  find_unknown_commands(conn, local);
  std::string why;
  if (auto denied =
          dryrun(conn, t.access.user.value_or("default"), own_permissions(), t.access.renames, why))
    local.denied = *denied;
  else
    local.dryrun_refused = why;
  measure_write_rate(conn, t, local);

  std::set<std::pair<std::string, int>> members(t.members.begin(), t.members.end());
  const auto& repl = local.replication;
  // A restarted Redis kept a replica of nowhere is no member's: nothing to reach there.
  if (repl.master_host && repl.master_port && !is_nowhere(*repl.master_host, *repl.master_port))
    members.emplace(*repl.master_host, *repl.master_port);
  for (const auto& r : repl.replicas) members.emplace(r.ip, r.port);
  for (const auto& [host, port] : members) {
    if (t.stop && *t.stop) return facts;
    if (address_of(host, port) == local.address) continue;
    facts.members.push_back(probe_member(t, host, port, local));
  }
  probe_listed_replicas(t, facts);
  return facts;
}

}  // namespace redkeep::redis
