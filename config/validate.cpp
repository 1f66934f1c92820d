#include "config/validate.hpp"

#include <algorithm>
#include <map>
#include <tuple>

#include "config/keywords.hpp"

namespace redkeep::config {
namespace {

using Severity = Diagnostic::Severity;

/// Why an address cannot be an address of a node on the VRRP link (a VIP, a unicast_src_ip,
/// a unicast_peer or a peer's Redis), or nullptr.
const char* not_a_host_address(const net::IpAddress& a) {
  if (!a.is_v4()) {
    const std::uint8_t* b = a.data();
    const bool zero_80 = std::all_of(b, b + 10, [](std::uint8_t x) { return x == 0; });
    if (zero_80 && std::all_of(b + 10, b + 16, [](std::uint8_t x) { return x == 0; }))
      return "it is the unspecified address";
    if (a.is_loopback()) return "it is the loopback address";
    if (a.is_multicast()) return "it is a multicast address";
    if (zero_80 && b[10] == 0xff && b[11] == 0xff)
      return "it is an IPv4-mapped address (::ffff:0:0/96); write the IPv4 address instead";
    return nullptr;
  }
  const std::uint32_t v = a.v4_host_order();
  if (v == 0) return "it is the unspecified address";
  if ((v >> 24) == 0) return "it is in 0.0.0.0/8 (\"this network\", RFC 1122), not a host address";
  if (v == 0xFFFFFFFFu) return "it is the broadcast address";
  if ((v >> 24) == 127) return "it is a loopback address";
  if (a.is_multicast()) return "it is a multicast address";
  if ((v >> 28) == 0xF) return "it is in 240.0.0.0/4 (reserved, RFC 1112)";
  return nullptr;
}

/// Shortest VIP prefix accepted: the widest network one VRRP link can be (IPv6: a subnet is
/// a /64, RFC 4291 section 2.5.1).
constexpr unsigned kMinVipPrefix = 8;
constexpr unsigned kMinVipPrefixV6 = 64;

/// Why a VIP with this prefix length cannot serve clients, or an empty string. The kernel adds
/// a prefix route for every address (RTM_NEWADDR): a short prefix makes a huge range look
/// directly reachable on the interface, shadowing the default route for it (/0: every
/// address); an IPv4 VIP that is the broadcast address of its own prefix is a broadcast
/// destination for every host on that network, which TCP refuses to connect to.
std::string unusable_prefix(const net::IpPrefix& p) {
  if (!p.address.is_v4()) {
    if (p.prefix_length >= kMinVipPrefixV6) return {};
    return "an IPv6 VIP's prefix length must be 64 to 128 (128 = the address alone, "
           "keepalived's default; else the length of the subnet it floats in): /" +
           std::to_string(p.prefix_length) + " would add an on-link route to " +
           (p.prefix_length == 0 ? "every IPv6 address" : "a network wider than one subnet") +
           ", shadowing the default route for it";
  }
  if (p.prefix_length < kMinVipPrefix) {
    return "a VIP's prefix length must be 8 to 32 (32 = the address alone, keepalived's "
           "default; else the length of the network it floats in): /" +
           std::to_string(p.prefix_length) + " would add an on-link route to " +
           (p.prefix_length == 0 ? std::string("every IPv4 address")
                                 : std::to_string(1ull << (32 - p.prefix_length)) + " addresses") +
           ", shadowing the default route for them";
  }
  if (p.prefix_length <= 30) {
    const std::uint32_t host_mask = 0xFFFFFFFFu >> p.prefix_length;
    if ((p.address.v4_host_order() & host_mask) == host_mask) {
      return "it is the broadcast address of its /" + std::to_string(p.prefix_length) +
             " network, which clients cannot connect to; use an address inside the network, "
             "or /32";
    }
  }
  return {};
}

bool is_vip_of(const VrrpInstance& inst, const net::IpAddress& a) {
  return std::any_of(inst.virtual_ipaddress.begin(), inst.virtual_ipaddress.end(),
                     [&](const net::IpPrefix& v) { return v.address == a; });
}

const char* family_name(net::Family f) { return f == net::Family::ipv4 ? "IPv4" : "IPv6"; }

std::string at(const Where& w) { return std::to_string(w.line) + ":" + std::to_string(w.column); }

/// The Redis a redis block names, as the duplicate check compares it: an address in its one
/// spelling (0:0::1 is ::1).
std::pair<std::string, std::uint16_t> redis_key(const RedisSettings& r) {
  if (r.host == "localhost") return {"127.0.0.1", r.port};
  const auto address = net::IpAddress::parse(r.host);
  return {address ? address->to_string() : r.host, r.port};
}

class Validator {
 public:
  Validator(const std::string& file, std::vector<Diagnostic>& out) : file_(file), out_(out) {}

  void error(const Where& w, std::string message) {
    out_.push_back({Severity::error, file_, w.line, w.column, std::move(message)});
  }
  void warning(const Where& w, std::string message) {
    out_.push_back({Severity::warning, file_, w.line, w.column, std::move(message)});
  }

  void instance(const GlobalDefs& global, VrrpInstance& inst, const InstanceSource& src) {
    const std::string name = "vrrp_instance " + inst.name;
    const net::Family family = family_of(inst);
    const bool v6 = family == net::Family::ipv6;
    // keepalived: an IPv6 instance without a version of its own is VRRPv3, whatever
    // global_defs says.
    if (!src.version.present()) {
      inst.version = v6 ? VrrpVersion::v3 : global.vrrp_version;
    } else if (v6 && inst.version == VrrpVersion::v2) {
      error(src.version, "version 2 cannot carry " + name + ": VRRPv2 (RFC 3768) is IPv4 only; "
                         "an IPv6 instance uses version 3 (RFC 5798)");
    }
    const bool v3 = inst.version == VrrpVersion::v3;
    const std::string mixed_family =
        v6 ? " but " + name + " is IPv6 (its first virtual_ipaddress is " +
                 inst.virtual_ipaddress.front().address.to_string() + ")"
           : " but " + name + " is IPv4";
    const std::string one_family =
        ": an instance is one address family, as in keepalived; an IPv4 and an IPv6 "
        "vrrp_instance may run side by side";

    if (!src.interface.present()) error(src.keyword, name + " has no interface (required)");
    if (!src.virtual_router_id.present()) {
      error(src.keyword, name + " has no virtual_router_id (required, 1 to 255)");
    }
    if (inst.virtual_ipaddress.empty() && src.vip_tokens == 0) {
      error(src.virtual_ipaddress.present() ? src.virtual_ipaddress : src.keyword,
            name + " has no virtual_ipaddress (at least one address is required)");
    }

    if (!src.advert_int_text.empty()) {
      if (!v3 && inst.advert_int_cs % 100 != 0) {
        error(src.advert_int, "advert_int " + src.advert_int_text +
                                  " is not a whole number of seconds: VRRPv2 (RFC 3768) "
                                  "advertises whole seconds from 1 to 255; use version 3 for "
                                  "fractions");
      } else if (v3 && inst.advert_int_cs > 4095) {
        error(src.advert_int, "advert_int " + src.advert_int_text +
                                  " is over 40.95, the VRRPv3 maximum (12-bit centisecond "
                                  "field, RFC 5798 section 5.2.7)");
      }
    }

    const bool auth_written = src.auth_type.present() || src.auth_pass.present();
    if (v3 && auth_written) {
      warning(src.authentication, "VRRPv3 has no authentication (RFC 5798); the authentication "
                                  "block of " + name + " is ignored, as keepalived 2.2.7 does");
      inst.auth_type = AuthType::none;
      inst.auth_pass = Secret();
    } else if (inst.auth_type == AuthType::pass && inst.auth_pass.empty() &&
               !src.auth_pass.present()) {
      warning(src.auth_type, "auth_type PASS without auth_pass: " + name +
                                 " runs without authentication, as keepalived does");
      inst.auth_type = AuthType::none;
    } else if (inst.auth_type == AuthType::none && src.auth_pass.present() &&
               !src.auth_type.present()) {
      warning(src.auth_pass, "auth_pass without auth_type PASS is ignored, as keepalived does");
      inst.auth_pass = Secret();
    }

    if (inst.state == InitialState::master) {
      if (inst.nopreempt) {
        warning(src.nopreempt, "nopreempt only works with state BACKUP; with state MASTER it is "
                               "ignored, as keepalived does");
        inst.nopreempt = false;
      }
      if (src.preempt_delay.present()) {
        warning(src.preempt_delay, "preempt_delay only works with state BACKUP; with state "
                                   "MASTER it is ignored, as keepalived does");
        inst.preempt_delay = std::chrono::milliseconds(0);
      }
    }
    if (!v3 && inst.v3_checksum_as_v2) {
      warning(src.v3_checksum_as_v2, "v3_checksum_as_v2 only affects version 3; ignored");
      inst.v3_checksum_as_v2 = false;
    }

    if (inst.virtual_ipaddress.size() > 255) {
      error(src.vips[255], name + " has " + std::to_string(inst.virtual_ipaddress.size()) +
                               " virtual_ipaddress entries; an advert carries at most 255 "
                               "(8-bit Count IPvX Addr, RFC 5798 section 5.2.6)");
    }
    for (std::size_t i = 0; i < inst.virtual_ipaddress.size(); ++i) {
      const net::IpPrefix& vip = inst.virtual_ipaddress[i];
      const std::string what = "virtual_ipaddress " + vip.to_string();
      if (vip.address.family() != family) {
        error(src.vips[i], what + " is " + family_name(vip.address.family()) + mixed_family +
                               one_family);
      } else if (auto why = not_a_host_address(vip.address)) {
        error(src.vips[i], what + " cannot be a VIP: " + why);
      } else if (auto why = unusable_prefix(vip); !why.empty()) {
        error(src.vips[i], what + " cannot be a VIP: " + why);
      }
      for (std::size_t k = 0; k < i; ++k) {
        if (inst.virtual_ipaddress[k].address == vip.address) {
          error(src.vips[i], what + " is listed twice (first at " + at(src.vips[k]) + ")");
          break;
        }
      }
    }
    if (v6 && !inst.virtual_ipaddress.front().address.is_link_local()) {
      warning(src.vips[0], "the first virtual_ipaddress of IPv6 " + name + " is not link-local: "
                           "RFC 5798 section 5.2.9 makes the first address of an IPv6 advert the "
                           "virtual router's link-local address, and keepalived peers expect it "
                           "when they compare address lists; put one (e.g. fe80::" +
                           std::to_string(inst.virtual_router_id) + "/64) first");
    }
    const auto is_vip = [&](const net::IpAddress& a) { return is_vip_of(inst, a); };
    for (std::size_t i = 0; i < inst.unicast_peer.size(); ++i) {
      const net::IpAddress& peer = inst.unicast_peer[i];
      const std::string what = "unicast_peer " + peer.to_string();
      if (peer.family() != family) {
        error(src.peers[i], what + " is " + family_name(peer.family()) + mixed_family + one_family);
      } else if (auto why = not_a_host_address(peer)) {
        error(src.peers[i], what + " cannot be a peer: " + why);
      } else if (inst.unicast_src_ip && peer == *inst.unicast_src_ip) {
        error(src.peers[i], what + " is this node's own unicast_src_ip: an advert to itself "
                                   "reaches nobody");
      } else if (is_vip(peer)) {
        error(src.peers[i], what + " is a VIP of this instance: adverts would go to whichever "
                                   "node holds it, this one included");
      }
      for (std::size_t k = 0; k < i; ++k) {
        if (inst.unicast_peer[k] == peer) {
          error(src.peers[i], what + " is listed twice (first at " + at(src.peers[k]) + ")");
          break;
        }
      }
    }
    if (inst.unicast_src_ip) {
      const std::string what = "unicast_src_ip " + inst.unicast_src_ip->to_string();
      if (inst.unicast_src_ip->family() != family) {
        error(src.unicast_src_ip, what + " is " + family_name(inst.unicast_src_ip->family()) +
                                      mixed_family + one_family);
      } else if (auto why = not_a_host_address(*inst.unicast_src_ip)) {
        error(src.unicast_src_ip, what + " cannot be the source of adverts: " + why);
      } else if (is_vip(*inst.unicast_src_ip)) {
        error(src.unicast_src_ip, what + " is a VIP of this instance: the source of adverts "
                                         "must be the node's own address, which stays when "
                                         "the VIP moves");
      }
    }

    if (inst.redis) {
      if (inst.redis->password && inst.redis->password_file) {
        error(src.password_file, "password and password_file are mutually exclusive (password "
                                 "is set at " + at(src.password) + ")");
      }
      if (inst.redis->user && !inst.redis->password && !inst.redis->password_file) {
        error(src.user, "user needs password or password_file (Redis AUTH user password)");
      }
      if (inst.redis->manage_masterauth && !inst.redis->password && !inst.redis->password_file) {
        warning(src.manage_masterauth, "manage_masterauth yes does nothing without password or "
                                       "password_file: there is no credential to set");
      }
      redis_addresses(inst, src, family, name);
    }
  }

 private:
  /// Where the other nodes' Redis listen: at each node's advert source unless peer_address
  /// says otherwise. An IPv6 advert comes from a link-local address (RFC 5798 section 5.1.2.1)
  /// that REPLICAOF cannot use, so an IPv6 instance needs the table or global unicast
  /// addresses.
  void redis_addresses(const VrrpInstance& inst, const InstanceSource& src, net::Family family,
                       const std::string& name) {
    const auto is_vip = [&](const net::IpAddress& a) { return is_vip_of(inst, a); };
    if (const auto host = net::IpAddress::parse(inst.redis->host); host && is_vip(*host)) {
      error(src.redis, "host " + inst.redis->host + " of vrrp_instance " + inst.name +
                           " is one of its VIPs: the local Redis must be reached at an address "
                           "that stays when the VIP moves (127.0.0.1, ::1 or the node's own)");
    }
    std::map<net::IpAddress, net::IpAddress> listed_for;  // Redis address -> advert source
    for (const auto& [source, address] : inst.redis->peer_address) {
      const Where& w = src.peer_address.at(source);
      const std::string what = "peer_address " + source.to_string() + " " + address.to_string();
      if (is_vip(address)) {
        error(w, what + ": " + address.to_string() + " is a VIP of " + name + ", not the "
                     "address of one node's Redis");
      } else if (auto [it, inserted] = listed_for.emplace(address, source); !inserted) {
        error(w, what + ": " + address.to_string() + " is already the Redis address of " +
                     it->second.to_string() + " (at " + at(src.peer_address.at(it->second)) +
                     "); each node has its own Redis");
      }
      if (source.family() != family) {
        error(w, what + ": the advert source is " + family_name(source.family()) + " but " +
                     name + " is " + family_name(family) + " (adverts of an instance come from "
                     "addresses of its family)");
      } else if (auto why = not_a_host_address(source)) {
        error(w, what + ": " + source.to_string() + " cannot be an advert source: " + why);
      }
      if (auto why = not_a_host_address(address)) {
        error(w, what + ": " + address.to_string() + " cannot be a Redis address: " + why);
      } else if (address.is_link_local()) {
        error(w, what + ": a link-local Redis address is valid on one interface only, which "
                        "REPLICAOF cannot name; use a global address");
      }
    }
    if (family != net::Family::ipv6) return;
    const auto listed = [&](const net::IpAddress& a) {
      return inst.redis->peer_address.count(a) > 0;
    };
    const bool global_unicast = inst.unicast_src_ip && !inst.unicast_src_ip->is_link_local() &&
                                !inst.unicast_peer.empty();
    // A peer_address line that did not parse was reported where it is written.
    if (inst.redis->peer_address.empty() && !global_unicast &&
        !src.peer_address_written.present()) {
      error(src.redis, name + " is IPv6 and manages Redis, but nothing says where the other "
                       "nodes' Redis listen: an IPv6 advert comes from a link-local address "
                       "(RFC 5798 section 5.1.2.1) and the VIP floats. List every node in the "
                       "redis block as `peer_address ADVERT_SOURCE REDIS_ADDRESS`, or use "
                       "unicast_src_ip and unicast_peer with global addresses (a node's Redis "
                       "is then at its advert source)");
      return;
    }
    for (std::size_t i = 0; i < inst.unicast_peer.size(); ++i) {
      const net::IpAddress& peer = inst.unicast_peer[i];
      if (peer.is_link_local() && !listed(peer))
        error(src.peers[i], "unicast_peer " + peer.to_string() + " is link-local, which "
                            "REPLICAOF cannot use: give its Redis address in the redis block "
                            "as `peer_address " + peer.to_string() + " REDIS_ADDRESS`");
    }
  }

  const std::string& file_;
  std::vector<Diagnostic>& out_;
};

}  // namespace

namespace {

/// vrrp_script blocks (each needs a script, names are distinct) and the track_script entries
/// that name them, resolved into VrrpInstance::track_script.
void resolve_scripts(Config& config, const SourceMap& source, Validator& v) {
  std::map<std::string, std::size_t> by_name;
  for (std::size_t i = 0; i < config.scripts.size(); ++i) {
    const VrrpScript& s = config.scripts[i];
    const ScriptSource& src = source.scripts[i];
    if (s.name.empty()) continue;  // reported by the builder
    if (s.script.empty() && !src.script.present())
      v.error(src.keyword, "vrrp_script " + s.name + " has no script (the command to run)");
    auto [it, inserted] = by_name.emplace(s.name, i);
    if (!inserted)
      v.error(src.keyword, "vrrp_script name '" + s.name + "' is already used at " +
                               at(source.scripts[it->second].keyword));
  }
  std::vector<bool> tracked(config.scripts.size(), false);
  for (std::size_t i = 0; i < config.instances.size(); ++i) {
    VrrpInstance& inst = config.instances[i];
    std::map<std::string, Where> seen;
    for (const auto& t : source.instances[i].tracks) {
      auto it = by_name.find(t.name);
      if (it == by_name.end()) {
        std::string message = "track_script names '" + t.name + "', which no vrrp_script defines";
        std::size_t best = 3;
        for (const auto& [name, index] : by_name) {
          if (const auto d = edit_distance(t.name, name); d < best) {
            best = d;
            message = "track_script names '" + t.name + "', which no vrrp_script defines; did "
                      "you mean '" + name + "'?";
          }
        }
        v.error(t.at, message);
        continue;
      }
      if (auto [prev, inserted] = seen.emplace(t.name, t.at); !inserted) {
        v.warning(t.at, "vrrp_script " + t.name + " is tracked twice by vrrp_instance " +
                            inst.name + " (first at " + at(prev->second) + "); this entry is ignored");
        continue;
      }
      tracked[it->second] = true;
      const VrrpScript& script = config.scripts[it->second];
      inst.track_script.push_back(TrackedScript{script, t.weight.value_or(script.weight),
                                                t.reverse.value_or(script.weight_reverse)});
    }
  }
  for (std::size_t i = 0; i < config.scripts.size(); ++i) {
    if (!tracked[i] && !config.scripts[i].name.empty())
      v.warning(source.scripts[i].keyword, "vrrp_script " + config.scripts[i].name +
                                               " is tracked by no vrrp_instance: it does not run");
  }
}

}  // namespace

void validate(Config& config, const SourceMap& source, const std::string& file_name,
              std::vector<Diagnostic>& diagnostics) {
  Validator v(file_name, diagnostics);
  resolve_scripts(config, source, v);
  if (config.instances.empty()) {
    diagnostics.push_back({Severity::error, file_name, 0, 0,
                           "no vrrp_instance block: there is nothing to run"});
    return;
  }
  std::map<std::string, std::size_t> names;
  std::map<std::tuple<std::string, std::uint8_t, net::Family>, std::size_t> vrids;
  // Where each VIP address and each managed Redis was first named: two virtual routers
  // holding one address, or switching the role of one Redis, would undo each other.
  std::map<net::IpAddress, std::pair<std::size_t, Where>> vip_owners;
  std::map<std::pair<std::string, std::uint16_t>, std::size_t> redis_owners;
  const auto where_in_file = [&](const Where& w) { return file_name + ":" + at(w); };
  for (std::size_t i = 0; i < config.instances.size(); ++i) {
    VrrpInstance& inst = config.instances[i];
    const InstanceSource& src = source.instances[i];
    v.instance(config.global, inst, src);
    if (!inst.name.empty()) {
      auto [it, inserted] = names.emplace(inst.name, i);
      if (!inserted) {
        v.error(src.keyword, "vrrp_instance name '" + inst.name + "' is already used at " +
                                 where_in_file(source.instances[it->second].keyword));
      }
    }
    if (src.vrid_valid && !inst.interface.empty()) {
      const net::Family family = family_of(inst);
      auto [it, inserted] = vrids.emplace(
          std::make_tuple(inst.interface, inst.virtual_router_id, family), i);
      if (!inserted) {
        const VrrpInstance& first = config.instances[it->second];
        v.error(src.virtual_router_id,
                "virtual_router_id " + std::to_string(inst.virtual_router_id) +
                    " on interface " + inst.interface + " is already used by vrrp_instance " +
                    first.name + " at " + file_name + ":" +
                    at(source.instances[it->second].virtual_router_id) +
                    "; VRIDs must be distinct per interface");
      }
    }
    for (std::size_t k = 0; k < inst.virtual_ipaddress.size(); ++k) {
      const net::IpAddress& a = inst.virtual_ipaddress[k].address;
      auto [it, inserted] = vip_owners.emplace(a, std::make_pair(i, src.vips[k]));
      if (!inserted && it->second.first != i) {
        v.error(src.vips[k], "virtual_ipaddress " + a.to_string() +
                                 " is already a VIP of vrrp_instance " +
                                 config.instances[it->second.first].name + " at " +
                                 where_in_file(it->second.second) +
                                 "; one address belongs to one virtual router");
      }
    }
    if (inst.redis) {
      auto [it, inserted] = redis_owners.emplace(redis_key(*inst.redis), i);
      if (!inserted) {
        v.error(src.redis, "the redis block of vrrp_instance " + inst.name + " names " +
                               net::host_port(inst.redis->host, inst.redis->port) +
                               ", the Redis of vrrp_instance " +
                               config.instances[it->second].name + " at " +
                               where_in_file(source.instances[it->second].redis) +
                               "; two virtual routers would switch its role against each other");
      }
    }
  }
  // Unicast addresses that are another instance's VIP (this instance's own: above).
  for (std::size_t i = 0; i < config.instances.size(); ++i) {
    const VrrpInstance& inst = config.instances[i];
    const InstanceSource& src = source.instances[i];
    const auto other_vip = [&](const net::IpAddress& a) -> const VrrpInstance* {
      auto it = vip_owners.find(a);
      return it != vip_owners.end() && it->second.first != i
                 ? &config.instances[it->second.first]
                 : nullptr;
    };
    for (std::size_t k = 0; k < inst.unicast_peer.size(); ++k) {
      if (auto* owner = other_vip(inst.unicast_peer[k]))
        v.error(src.peers[k], "unicast_peer " + inst.unicast_peer[k].to_string() +
                                  " is a VIP of vrrp_instance " + owner->name +
                                  ": adverts would go to whichever node holds it");
    }
    if (inst.unicast_src_ip) {
      if (auto* owner = other_vip(*inst.unicast_src_ip))
        v.error(src.unicast_src_ip, "unicast_src_ip " + inst.unicast_src_ip->to_string() +
                                        " is a VIP of vrrp_instance " + owner->name +
                                        ": the source of adverts must be the node's own "
                                        "address, which stays when the VIP moves");
    }
  }
}

}  // namespace redkeep::config
