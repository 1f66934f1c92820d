#include "config/keyword_table.hpp"

namespace redkeep::config {
namespace {

using K = ValueKind;
using Check = std::optional<std::string>;

Check no_warning() { return std::nullopt; }

Check control_socket_length(const std::string& v) {
  // sockaddr_un::sun_path holds 108 bytes with the terminating NUL.
  if (v.size() <= 107) return std::nullopt;
  return "control_socket path is " + std::to_string(v.size()) +
         " bytes; a unix socket path can have at most 107";
}

Check listen_address(const std::string& v) {
  const auto listen = parse_listen_address(v);
  if (!listen)
    return "expected ADDRESS:PORT for metrics_listen (e.g. 192.0.2.11:9470 or [2001:db8::1]:9470, "
           "port 1-65535), got '" + v + "'";
  if (listen->address.is_link_local())
    return "metrics_listen " + v + ": a link-local address is valid on one interface only, "
           "which ADDRESS:PORT cannot name; use a global or loopback address";
  if (listen->address.is_multicast())
    return "metrics_listen " + v + ": a multicast address cannot be listened on";
  return std::nullopt;
}

Check interface_name(const std::string& v) {
  if (v.empty()) return std::nullopt;  // "expected an interface name", from the parser
  if (v.size() > 15)
    return "expected an interface name of at most 15 bytes (IFNAMSIZ) for interface, got '" + v +
           "'";
  // The kernel's dev_valid_name(); "eth0:1" is an address label, not a link.
  if (v == "." || v == ".." || v.find_first_of("/: \t") != std::string::npos)
    return "'" + v +
           "' is not a Linux interface name (no '/', ':' or spaces, not '.' or '..'); "
           "name the link itself, e.g. eth0";
  if (v == "lo") return "interface lo reaches no other node: VRRP runs on the link the peers share";
  return std::nullopt;
}

Check priority_owner(const std::string& v) {
  if (v != "255") return std::nullopt;
  return "priority 255 is refused: 255 means the address owner (RFC 3768 section 5.3.4), which "
         "does not fit a floating VIP; expected a number from 1 to 254";
}

Check auth_type_ah(const std::string& v) {
  if (v != "AH") return std::nullopt;
  return "auth_type AH is not supported: use PASS, or no authentication";
}

Check redis_host(const std::string& v) {
  if (!v.empty() && v.front() == '[')
    return "host takes an address or a name, not '" + v + "': write an IPv6 address without "
           "brackets (host ::1) and the port in `port`";
  if (const auto address = net::IpAddress::parse(v)) {
    if (address->is_link_local())
      return "host " + v + ": a link-local address is valid on one interface only, which a "
             "Redis connection cannot name; use ::1 or a global address";
    if (address->is_multicast()) return "host " + v + " is a multicast address, not a Redis";
    return std::nullopt;
  }
  const auto colon = v.find(':');
  if (colon == std::string::npos || v.find(':', colon + 1) != std::string::npos)
    return std::nullopt;  // a name
  return "host takes an address or a name, not '" + v + "': put the port in `port`";
}

Check non_empty_password(const std::string& v) {
  if (!v.empty()) return std::nullopt;
  return "expected a non-empty password for password";
}

VrrpVersion version_of(const Value& v) { return v.text == "3" ? VrrpVersion::v3 : VrrpVersion::v2; }

/// keepalived takes a repeat count of 0 as 1, with a message; so does redkeep.
Check repeat(unsigned& into, const Value& v, std::string_view keyword) {
  into = v.number == 0 ? 1 : static_cast<unsigned>(v.number);
  if (v.number != 0) return std::nullopt;
  return std::string(keyword) + " 0 is taken as 1, as keepalived does";
}

std::vector<KeywordSpec> make_table() {
  const auto top = BlockKind::top;
  const auto global = BlockKind::global_defs;
  const auto inst = BlockKind::vrrp_instance;
  const auto auth = BlockKind::authentication;
  const auto redis = BlockKind::redis;
  const auto scr = BlockKind::vrrp_script;
  std::vector<KeywordSpec> t;
  auto add = [&](BlockKind block, std::string_view name, ValueKind kind) -> KeywordSpec& {
    KeywordSpec k;
    k.block = block;
    k.name = name;
    k.kind = kind;
    t.push_back(std::move(k));
    return t.back();
  };

  add(top, "global_defs", K::block);
  add(top, "vrrp_script", K::block).expected = "a script name";
  add(top, "vrrp_instance", K::block).expected = "an instance name";

  {
    auto& k = add(global, "router_id", K::word);
    k.expected = "a name";
    k.default_value = "host name";
    k.set = [](Target& t, const Value& v) {
      t.global->router_id = v.text;
      return no_warning();
    };
  }
  {
    auto& k = add(global, "vrrp_version", K::choice);
    k.expected = "2 or 3";
    k.choices = {"2", "3"};
    k.default_value = "2";
    k.set = [](Target& t, const Value& v) {
      t.global->vrrp_version = version_of(v);
      t.source->vrrp_version = v.keyword;
      return no_warning();
    };
  }
  {
    auto& k = add(global, "control_socket", K::word);
    k.expected = "a path";
    k.default_value = kDefaultControlSocket;
    k.check = control_socket_length;
    k.set = [](Target& t, const Value& v) {
      t.global->control_socket = v.text;
      return no_warning();
    };
  }
  {
    auto& k = add(global, "state_file", K::word);
    k.expected = "a path";
    k.default_value = kDefaultStateFile;
    k.set = [](Target& t, const Value& v) {
      t.global->state_file = v.text;
      return no_warning();
    };
  }

  {
    auto& k = add(global, "metrics_listen", K::word);
    k.expected = "ADDRESS:PORT";
    k.default_value = "not set";
    k.check = listen_address;
    k.set = [](Target& t, const Value& v) {
      t.global->metrics_listen = parse_listen_address(v.text);
      return no_warning();
    };
  }

  {
    auto& k = add(inst, "state", K::choice);
    k.expected = "MASTER or BACKUP";
    k.choices = {"MASTER", "BACKUP"};
    k.default_value = "BACKUP";
    k.seen = &InstanceSource::state;
    k.set = [](Target& t, const Value& v) {
      t.instance->state = v.text == "MASTER" ? InitialState::master : InitialState::backup;
      return no_warning();
    };
  }
  {
    auto& k = add(inst, "interface", K::word);
    k.expected = "an interface name";
    k.seen = &InstanceSource::interface;
    k.check = interface_name;
    k.set = [](Target& t, const Value& v) {
      t.instance->interface = v.text;
      return no_warning();
    };
  }
  {
    auto& k = add(inst, "virtual_router_id", K::number);
    k.min = 1;
    k.max = 255;
    k.seen = &InstanceSource::virtual_router_id;
    k.set = [](Target& t, const Value& v) {
      t.instance->virtual_router_id = static_cast<std::uint8_t>(v.number);
      t.instance_source->vrid_valid = true;
      return no_warning();
    };
  }
  {
    auto& k = add(inst, "priority", K::number);
    k.min = 1;
    k.max = 254;
    k.default_value = "100";
    k.seen = &InstanceSource::priority;
    k.check = priority_owner;
    k.set = [](Target& t, const Value& v) {
      t.instance->priority = static_cast<std::uint8_t>(v.number);
      return no_warning();
    };
  }
  {
    auto& k = add(inst, "nopreempt", K::flag);
    k.seen = &InstanceSource::nopreempt;
    k.set = [](Target& t, const Value&) {
      t.instance->nopreempt = true;
      return no_warning();
    };
  }
  {
    auto& k = add(inst, "preempt_delay", K::seconds);
    k.decimals = 3;
    k.max = 1000 * 1000;
    k.default_value = "0";
    k.seen = &InstanceSource::preempt_delay;
    k.set = [](Target& t, const Value& v) {
      t.instance->preempt_delay = std::chrono::milliseconds(v.number);
      return no_warning();
    };
  }
  {
    auto& k = add(inst, "advert_int", K::seconds);
    k.decimals = 2;
    k.min = 1;
    k.max = 25500;
    k.range_note = " (whole seconds with version 2, 0.01 steps up to 40.95 with version 3)";
    k.default_value = "1";
    k.set = [](Target& t, const Value& v) {
      t.instance->advert_int_cs = static_cast<std::uint16_t>(v.number);
      t.instance_source->advert_int = v.at;
      t.instance_source->advert_int_text = v.text;
      return no_warning();
    };
  }
  {
    auto& k = add(inst, "version", K::choice);
    k.expected = "2 or 3";
    k.choices = {"2", "3"};
    k.default_value = "global vrrp_version";
    k.set = [](Target& t, const Value& v) {
      t.instance->version = version_of(v);
      t.instance_source->version = v.keyword;
      return no_warning();
    };
  }
  add(inst, "authentication", K::block);
  add(inst, "virtual_ipaddress", K::list);
  {
    auto& k = add(inst, "unicast_src_ip", K::address);
    k.expected = "an IPv4 or IPv6 address";
    k.seen = &InstanceSource::unicast_src_ip;
    k.set = [](Target& t, const Value& v) {
      t.instance->unicast_src_ip = v.address;
      return no_warning();
    };
  }
  add(inst, "unicast_peer", K::list);
  {
    auto& k = add(inst, "v3_checksum_as_v2", K::flag);
    k.seen = &InstanceSource::v3_checksum_as_v2;
    k.set = [](Target& t, const Value&) {
      t.instance->v3_checksum_as_v2 = true;
      return no_warning();
    };
  }
  {
    auto& k = add(inst, "garp_master_delay", K::seconds);
    k.max = 3600;
    k.default_value = "5";
    k.set = [](Target& t, const Value& v) {
      t.instance->garp_master_delay = std::chrono::seconds(v.number);
      return no_warning();
    };
  }
  {
    auto& k = add(inst, "garp_master_repeat", K::number);
    k.max = 1000;
    k.default_value = "5";
    k.set = [](Target& t, const Value& v) {
      return repeat(t.instance->garp_master_repeat, v, "garp_master_repeat");
    };
  }
  {
    auto& k = add(inst, "garp_master_refresh", K::seconds);
    k.max = 86400;
    k.default_value = "0";
    k.set = [](Target& t, const Value& v) {
      t.instance->garp_master_refresh = std::chrono::seconds(v.number);
      return no_warning();
    };
  }
  {
    auto& k = add(inst, "garp_master_refresh_repeat", K::number);
    k.max = 1000;
    k.default_value = "1";
    k.set = [](Target& t, const Value& v) {
      return repeat(t.instance->garp_master_refresh_repeat, v, "garp_master_refresh_repeat");
    };
  }
  add(inst, "redis", K::block);
  add(inst, "track_script", K::list);
  const auto notify = [&](std::string_view name, Where InstanceSource::*seen) -> KeywordSpec& {
    auto& k = add(inst, name, K::notify);
    k.seen = seen;
    k.expected = "a command line (quoted when it has spaces), then optionally USER [GROUP]";
    return k;
  };
  notify("notify_master", &InstanceSource::notify_master).set = [](Target& t, const Value& v) {
    t.instance->notify.master = NotifyScript{v.text, v.user, v.group};
    return no_warning();
  };
  notify("notify_backup", &InstanceSource::notify_backup).set = [](Target& t, const Value& v) {
    t.instance->notify.backup = NotifyScript{v.text, v.user, v.group};
    return no_warning();
  };
  notify("notify_fault", &InstanceSource::notify_fault).set = [](Target& t, const Value& v) {
    t.instance->notify.fault = NotifyScript{v.text, v.user, v.group};
    return no_warning();
  };
  notify("notify_stop", &InstanceSource::notify_stop).set = [](Target& t, const Value& v) {
    t.instance->notify.stop = NotifyScript{v.text, v.user, v.group};
    return no_warning();
  };
  notify("notify", &InstanceSource::notify).set = [](Target& t, const Value& v) {
    t.instance->notify.any = NotifyScript{v.text, v.user, v.group};
    return no_warning();
  };

  {
    auto& k = add(auth, "auth_type", K::choice);
    k.expected = "PASS or AH";
    k.choices = {"PASS"};
    k.seen = &InstanceSource::auth_type;
    k.check = auth_type_ah;
    k.set = [](Target& t, const Value&) {
      t.instance->auth_type = AuthType::pass;
      return no_warning();
    };
  }
  {
    auto& k = add(auth, "auth_pass", K::secret);
    k.expected = "a password";
    k.seen = &InstanceSource::auth_pass;
    k.set = [](Target& t, const Value& v) -> Check {
      t.instance->auth_pass = Secret(v.text.substr(0, 8));
      if (v.text.size() <= 8) return std::nullopt;
      return "auth_pass is longer than 8 bytes; only its first 8 bytes are used, as keepalived "
             "does";
    };
  }

  {
    auto& k = add(redis, "host", K::word);
    k.expected = "an address or host name";
    k.default_value = "127.0.0.1";
    k.check = redis_host;
    k.set = [](Target& t, const Value& v) {
      t.redis->host = v.text;
      return no_warning();
    };
  }
  {
    auto& k = add(redis, "port", K::number);
    k.min = 1;
    k.max = 65535;
    k.default_value = "6379";
    k.set = [](Target& t, const Value& v) {
      t.redis->port = static_cast<std::uint16_t>(v.number);
      return no_warning();
    };
  }
  {
    auto& k = add(redis, "password", K::secret);
    k.expected = "a password";
    k.seen = &InstanceSource::password;
    k.check = non_empty_password;
    k.set = [](Target& t, const Value& v) {
      t.redis->password = Secret(v.text);
      return no_warning();
    };
  }
  {
    auto& k = add(redis, "password_file", K::word);
    k.expected = "a path";
    k.seen = &InstanceSource::password_file;
    k.set = [](Target& t, const Value& v) {
      t.redis->password_file = v.text;
      return no_warning();
    };
  }
  {
    auto& k = add(redis, "user", K::word);
    k.expected = "an ACL user name";
    k.seen = &InstanceSource::user;
    k.set = [](Target& t, const Value& v) {
      t.redis->user = v.text;
      return no_warning();
    };
  }
  {
    auto& k = add(redis, "check_interval", K::seconds);
    k.decimals = 3;
    k.min = 1;
    k.max = 3600 * 1000;
    k.default_value = "1";
    k.set = [](Target& t, const Value& v) {
      t.redis->check_interval = std::chrono::milliseconds(v.number);
      return no_warning();
    };
  }
  {
    auto& k = add(redis, "check_timeout", K::seconds);
    k.decimals = 3;
    k.min = 1;
    k.max = 3600 * 1000;
    k.default_value = "1";
    k.set = [](Target& t, const Value& v) {
      t.redis->check_timeout = std::chrono::milliseconds(v.number);
      return no_warning();
    };
  }
  {
    auto& k = add(redis, "min_replicas_to_write", K::number);
    k.max = 1000;
    k.set = [](Target& t, const Value& v) {
      t.redis->min_replicas_to_write = static_cast<unsigned>(v.number);
      return no_warning();
    };
  }
  {
    auto& k = add(redis, "min_replicas_max_lag", K::number);
    k.min = 1;
    k.max = 3600;
    k.default_value = "10";
    k.set = [](Target& t, const Value& v) {
      t.redis->min_replicas_max_lag = static_cast<unsigned>(v.number);
      return no_warning();
    };
  }
  {
    auto& k = add(redis, "cold_start_quorum", K::number);
    k.min = 1;
    k.max = 32;  // members kept (and probed) at most, this node included
    k.default_value = "a majority of the members remembered";
    k.set = [](Target& t, const Value& v) {
      t.redis->cold_start_quorum = static_cast<unsigned>(v.number);
      return no_warning();
    };
  }
  {
    auto& k = add(redis, "rename_command", K::rename);
    k.expected = "a command redkeep sends, then the name redis.conf's rename-command gives it";
    k.set = [](Target& t, const Value& v) -> std::optional<std::string> {
      const bool again = t.redis->rename_command.count(v.text) > 0;
      t.redis->rename_command[v.text] = v.renamed;
      if (again)
        return "rename_command " + v.text + " is given again; this name replaces the other";
      return no_warning();
    };
  }
  {
    auto& k = add(redis, "peer_address", K::address_pair);
    k.expected = "a node's advert source address, then the address its Redis listens on";
    k.seen = &InstanceSource::peer_address_written;
    k.set = [](Target& t, const Value& v) -> std::optional<std::string> {
      const bool again = t.redis->peer_address.count(*v.address) > 0;
      t.redis->peer_address[*v.address] = *v.second;
      if (t.instance_source) t.instance_source->peer_address[*v.address] = v.at;
      if (again)
        return "peer_address " + v.address->to_string() +
               " is given again; this Redis address replaces the other";
      return no_warning();
    };
  }
  {
    auto& k = add(redis, "manage_masterauth", K::choice);
    k.expected = "yes or no";
    k.choices = {"yes", "no"};
    k.default_value = "no";
    k.seen = &InstanceSource::manage_masterauth;
    k.set = [](Target& t, const Value& v) {
      t.redis->manage_masterauth = v.text == "yes";
      return no_warning();
    };
  }
  {
    auto& k = add(redis, "fall", K::number);
    k.min = 1;
    k.max = 1000;
    k.default_value = "3";
    k.set = [](Target& t, const Value& v) {
      t.redis->fall = static_cast<unsigned>(v.number);
      return no_warning();
    };
  }
  {
    auto& k = add(redis, "rise", K::number);
    k.min = 1;
    k.max = 1000;
    k.default_value = "2";
    k.set = [](Target& t, const Value& v) {
      t.redis->rise = static_cast<unsigned>(v.number);
      return no_warning();
    };
  }

  {
    auto& k = add(scr, "script", K::command);
    k.expected = "a command line";
    k.set = [](Target& t, const Value& v) {
      t.script->script = v.text;
      return no_warning();
    };
  }
  {
    auto& k = add(scr, "interval", K::seconds);
    k.decimals = 3;
    k.min = 1;
    k.max = 3600 * 1000;
    k.default_value = "1";
    k.set = [](Target& t, const Value& v) {
      t.script->interval = std::chrono::milliseconds(v.number);
      return no_warning();
    };
  }
  {
    auto& k = add(scr, "timeout", K::seconds);
    k.decimals = 3;
    k.min = 1;
    k.max = 3600 * 1000;
    k.default_value = "the interval";
    k.set = [](Target& t, const Value& v) {
      t.script->timeout = std::chrono::milliseconds(v.number);
      return no_warning();
    };
  }
  {
    auto& k = add(scr, "weight", K::weight);
    k.default_value = "0";
    k.set = [](Target& t, const Value& v) {
      t.script->weight = v.integer;
      t.script->weight_reverse = v.reverse;
      return no_warning();
    };
  }
  {
    auto& k = add(scr, "rise", K::number);
    k.min = 1;
    k.max = 1000;
    k.default_value = "1";
    k.set = [](Target& t, const Value& v) {
      t.script->rise = static_cast<unsigned>(v.number);
      return no_warning();
    };
  }
  {
    auto& k = add(scr, "fall", K::number);
    k.min = 1;
    k.max = 1000;
    k.default_value = "1";
    k.set = [](Target& t, const Value& v) {
      t.script->fall = static_cast<unsigned>(v.number);
      return no_warning();
    };
  }
  {
    auto& k = add(scr, "user", K::user);
    k.expected = "a user name, then optionally a group name";
    k.set = [](Target& t, const Value& v) {
      t.script->user = v.user;
      t.script->group = v.group;
      return no_warning();
    };
  }
  {
    auto& k = add(scr, "init_fail", K::flag);
    k.set = [](Target& t, const Value&) {
      t.script->init_fail = true;
      return no_warning();
    };
  }
  return t;
}

}  // namespace

const std::vector<KeywordSpec>& keyword_table() {
  static const std::vector<KeywordSpec> table = make_table();
  return table;
}

const KeywordSpec* find_keyword(BlockKind block, std::string_view name) {
  for (const auto& k : keyword_table())
    if (k.block == block && k.name == name) return &k;
  return nullptr;
}

}  // namespace redkeep::config
