#include "redis/role.hpp"

namespace redkeep::redis {

namespace {

std::optional<int> as_port(const Reply& r) {
  auto v = r.as_integer();
  if (!v || *v < 0 || *v > 65535) return std::nullopt;
  return static_cast<int>(*v);
}

}  // namespace

ReplicaLinkState parse_link_state(std::string_view text) {
  if (text == "none") return ReplicaLinkState::none;
  if (text == "connect") return ReplicaLinkState::connect;
  if (text == "connecting") return ReplicaLinkState::connecting;
  if (text == "handshake") return ReplicaLinkState::handshake;
  if (text == "sync") return ReplicaLinkState::sync;
  if (text == "connected") return ReplicaLinkState::connected;
  return ReplicaLinkState::unknown;
}

ReplicaLinkState Role::link() const { return parse_link_state(link_state); }

std::optional<Role> parse_role(const Reply& reply) {
  if (!reply.is_array() || reply.elements.empty()) return std::nullopt;
  const auto& e = reply.elements;
  auto kind = e[0].text();
  if (!kind) return std::nullopt;
  Role role;
  if (*kind == "master") {
    if (e.size() < 3 || !e[2].is_array()) return std::nullopt;
    auto offset = e[1].as_integer();
    if (!offset) return std::nullopt;
    role.kind = Role::Kind::master;
    role.offset = *offset;
    for (const auto& item : e[2].elements) {
      if (!item.is_array() || item.elements.size() < 3) return std::nullopt;
      auto ip = item.elements[0].text();
      auto port = as_port(item.elements[1]);
      auto replica_offset = item.elements[2].as_integer();
      if (!ip || !port || !replica_offset) return std::nullopt;
      role.replicas.push_back(RoleReplica{std::string(*ip), *port, *replica_offset});
    }
    return role;
  }
  if (*kind == "slave" || *kind == "replica") {
    if (e.size() < 5) return std::nullopt;
    auto host = e[1].text();
    auto port = as_port(e[2]);
    auto state = e[3].text();
    auto offset = e[4].as_integer();
    if (!host || !port || !state || !offset) return std::nullopt;
    role.kind = Role::Kind::replica;
    role.master_host = std::string(*host);
    role.master_port = *port;
    role.link_state = std::string(*state);
    role.offset = *offset;
    return role;
  }
  if (*kind == "sentinel") {
    role.kind = Role::Kind::sentinel;
    if (e.size() >= 2 && e[1].is_array()) {
      for (const auto& name : e[1].elements) {
        if (auto t = name.text()) role.sentinel_masters.emplace_back(*t);
      }
    }
    return role;
  }
  return std::nullopt;
}

const char* to_string(Role::Kind kind) {
  switch (kind) {
    case Role::Kind::master:
      return "master";
    case Role::Kind::replica:
      return "replica";
    case Role::Kind::sentinel:
      return "sentinel";
  }
  return "unknown";
}

}  // namespace redkeep::redis
