#include "redis/operations.hpp"

#include <algorithm>

#include "redis/client_list.hpp"

namespace redkeep::redis {

namespace {

// Commands answered with +OK: anything else is an unexpected reply.
Status expect_ok(Result<Reply> r, const char* what) {
  if (!r) return r.error();
  if (r.value().type == Reply::Type::status && r.value().str == "OK") return ok_status();
  return Error{Failure::other, std::string(what) + ": unexpected reply of type " +
                                  to_string(r.value().type)};
}

Result<std::string> bulk_text(Result<Reply> r, const char* what) {
  if (!r) return r.error();
  if (auto t = r.value().text()) return std::string(*t);
  return Error{Failure::other,
               std::string(what) + ": unexpected reply of type " + to_string(r.value().type)};
}

// REPLICAOF first; SLAVEOF only when the server does not know REPLICAOF.
Status replicaof_args(Connection& conn, const std::string& a, const std::string& b) {
  auto r = conn.command({"REPLICAOF", a, b});
  if (!r && r.failure() == Failure::unknown_command) {
    auto s = conn.command({"SLAVEOF", a, b});
    if (!s && s.failure() == Failure::unknown_command)
      return Error{Failure::unknown_command,
                   "REPLICAOF and SLAVEOF are both unknown: " + r.error().message};
    r = std::move(s);
  }
  return expect_ok(std::move(r), "REPLICAOF");
}

}  // namespace

Status ping(Connection& conn) {
  auto r = conn.command({"PING"});
  if (!r) return r.error();
  if (r.value().type == Reply::Type::status && r.value().str == "PONG") return ok_status();
  return Error{Failure::other, "PING: unexpected reply"};
}

Result<InfoSections> info(Connection& conn, const std::vector<std::string>& sections) {
  std::vector<std::string> argv{"INFO"};
  argv.insert(argv.end(), sections.begin(), sections.end());
  auto text = bulk_text(conn.command(argv), "INFO");
  if (text) return parse_info(text.value());
  if (sections.size() < 2 || text.failure() != Failure::other) return text.error();
  InfoSections merged;
  for (const auto& s : sections) {
    auto one = bulk_text(conn.command({"INFO", s}), "INFO");
    if (!one) return one.error();
    for (auto& [name, fields] : parse_info(one.value())) merged[name].merge(fields);
  }
  return merged;
}

Result<Role> role(Connection& conn) {
  auto r = conn.command({"ROLE"});
  if (!r) return r.error();
  if (auto parsed = parse_role(r.value())) return *parsed;
  return Error{Failure::other, "ROLE: unexpected reply"};
}

Status replicaof_no_one(Connection& conn) { return replicaof_args(conn, "NO", "ONE"); }

Status replicaof(Connection& conn, SyncPermit&& permit) {
  return replicaof_args(conn, permit.host(), std::to_string(permit.port()));
}

Status replicaof_nowhere(Connection& conn) {
  return replicaof_args(conn, kNowhereHost, std::to_string(kNowherePort));
}

bool role_matches(const Role& actual, const ExpectedRole& expected) {
  if (actual.kind != expected.kind) return false;
  if (expected.kind != Role::Kind::replica) return true;
  return actual.master_host == expected.master_host && actual.master_port == expected.master_port;
}

Result<bool> verify_role(Connection& conn, const ExpectedRole& expected) {
  auto r = role(conn);
  if (!r) return r.error();
  return role_matches(r.value(), expected);
}

Result<std::vector<ClientEntry>> list_clients(Connection& conn) {
  auto list = bulk_text(conn.command({"CLIENT", "LIST"}), "CLIENT LIST");
  if (!list) return list.error();
  return parse_client_list(list.value());
}

Result<std::size_t> kill_clients_except_redkeep(Connection& conn) {
  auto clients = list_clients(conn);
  if (!clients) return clients.error();
  std::size_t killed = 0;
  for (auto id : client_ids_to_kill(clients.value())) {
    auto r = conn.command({"CLIENT", "KILL", "ID", std::to_string(id)});
    if (r) {
      if (auto n = r.value().as_integer(); n && *n > 0) killed += static_cast<std::size_t>(*n);
      continue;
    }
    // Gone in between: "ERR No such client". Anything else stops the sweep.
    const bool gone = r.failure() == Failure::other &&
                      r.error().message.find("No such client") != std::string::npos;
    if (gone) continue;
    return r.error();
  }
  return killed;
}

Status pause_writes(Connection& conn, std::chrono::milliseconds pause) {
  return expect_ok(conn.command({"CLIENT", "PAUSE", std::to_string(pause.count()), "WRITE"}),
                   "CLIENT PAUSE");
}

Status unpause(Connection& conn) {
  return expect_ok(conn.command({"CLIENT", "UNPAUSE"}), "CLIENT UNPAUSE");
}

Status config_set(Connection& conn, const std::string& parameter, const std::string& value) {
  return expect_ok(conn.command({"CONFIG", "SET", parameter, value}), "CONFIG SET");
}

Result<std::vector<std::string>> sample_keys(Connection& conn, std::size_t max) {
  std::vector<std::string> keys;
  std::string cursor = "0";
  for (int calls = 0; calls < 10 && keys.size() < max; ++calls) {
    auto r = conn.command({"SCAN", cursor, "COUNT", "100"});
    if (!r) return r.error();
    const Reply& reply = r.value();
    if (!reply.is_array() || reply.elements.size() != 2 || !reply.elements[0].text() ||
        !reply.elements[1].is_array()) {
      return Error{Failure::other, "SCAN: unexpected reply shape"};
    }
    for (const Reply& k : reply.elements[1].elements) {
      constexpr std::size_t kLongestName = 1024;  // keeps one EXISTS call small
      if (keys.size() < max && k.type == Reply::Type::string && k.str.size() <= kLongestName) {
        keys.push_back(k.str);
      }
    }
    cursor = std::string(*reply.elements[0].text());
    if (cursor == "0") break;
  }
  return keys;
}

Result<std::int64_t> count_existing(Connection& conn, const std::vector<std::string>& keys) {
  if (keys.empty()) return std::int64_t{0};
  std::vector<std::string> argv{"EXISTS"};
  argv.insert(argv.end(), keys.begin(), keys.end());
  auto r = conn.command(argv);
  if (!r) return r.error();
  auto n = r.value().type == Reply::Type::integer ? std::optional(r.value().integer)
                                                  : std::nullopt;
  if (!n) return Error{Failure::other, "EXISTS: expected an integer reply"};
  return *n;
}

Status select_db(Connection& conn, int db) {
  return expect_ok(conn.command({"SELECT", std::to_string(db)}), "SELECT");
}

Status set_min_replicas(Connection& conn, unsigned to_write, unsigned max_lag_s) {
  for (const auto& [name, value] : {std::pair{"min-replicas-to-write", to_write},
                                    std::pair{"min-replicas-max-lag", max_lag_s}}) {
    auto r = config_set(conn, name, std::to_string(value));
    if (!r) return Error{r.failure(), std::string(name) + ": " + r.error().message};
  }
  return std::monostate{};
}

Result<std::optional<std::string>> config_get(Connection& conn, const std::string& parameter) {
  auto r = conn.command({"CONFIG", "GET", parameter});
  if (!r) return r.error();
  const Reply& reply = r.value();
  if (reply.type != Reply::Type::array || reply.elements.size() % 2 != 0)
    return Error{Failure::other, "CONFIG GET " + parameter + ": unexpected reply"};
  for (std::size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
    const auto name = reply.elements[i].text();
    const auto value = reply.elements[i + 1].text();
    if (name && value && *name == parameter) return std::optional<std::string>(std::string(*value));
  }
  return std::optional<std::string>();
}

Status set_masterauth(Connection& conn, const std::string& password,
                      const std::optional<std::string>& user) {
  if (auto r = config_set(conn, "masterauth", password); !r)
    return Error{r.failure(), "masterauth: " + redact(r.error().message, password)};
  auto r = config_set(conn, "masteruser", user.value_or(""));
  if (r) return r;
  // A Redis < 6 has no masteruser ("Unsupported CONFIG parameter"): nothing to clear there.
  const bool no_such_parameter = r.failure() == Failure::other;
  if (!user && no_such_parameter) return std::monostate{};
  return Error{r.failure(), "masteruser: " + redact(r.error().message, password)};
}

Result<KeySample> sample_against(Connection& own, Connection& other, const InfoSections& mine) {
  auto dbs = databases_with_keys(mine);
  const std::size_t per_db = std::max<std::size_t>(16, 64 / std::max<std::size_t>(1, dbs.size()));
  KeySample result;
  auto check = [&]() -> Status {
    for (int db : dbs) {
      if (auto r = select_db(own, db); !r) return r;
      auto keys = sample_keys(own, per_db);
      if (!keys) return keys.error();
      if (auto r = select_db(other, db); !r) return r;
      auto found = count_existing(other, keys.value());
      if (!found) return found.error();
      // EXISTS counts a name twice when SCAN returned it twice.
      auto n = static_cast<std::size_t>(std::clamp<std::int64_t>(
          found.value(), 0, static_cast<std::int64_t>(keys.value().size())));
      result.sampled += keys.value().size();
      result.missing += keys.value().size() - n;
    }
    return std::monostate{};
  };
  auto r = check();
  if (!dbs.empty()) {  // the connections' default again (other's: kept for this attempt)
    (void)select_db(own, 0);
    (void)select_db(other, 0);
  }
  if (!r) return r.error();
  return result;
}

}  // namespace redkeep::redis
