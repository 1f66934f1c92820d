#include "config/validate.hpp"

#include <map>
#include <tuple>

namespace redkeep::config {
namespace {

using Severity = Diagnostic::Severity;

/// Why an address cannot float between hosts as a VIP, or nullptr.
const char* unusable_vip(const net::IpAddress& a) {
  if (!a.is_v4()) return a.is_multicast() ? "it is a multicast address" : nullptr;
  const std::uint32_t v = a.v4_host_order();
  if (v == 0) return "it is the unspecified address";
  if (v == 0xFFFFFFFFu) return "it is the broadcast address";
  if ((v >> 24) == 127) return "it is a loopback address";
  if (a.is_multicast()) return "it is a multicast address";
  return nullptr;
}

std::string at(const Where& w) { return std::to_string(w.line) + ":" + std::to_string(w.column); }

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
    if (!src.version.present()) inst.version = global.vrrp_version;
    const bool v3 = inst.version == VrrpVersion::v3;

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
      if (auto why = unusable_vip(inst.virtual_ipaddress[i].address))
        error(src.vips[i], "virtual_ipaddress " + inst.virtual_ipaddress[i].to_string() +
                               " cannot be a VIP: " + why);
    }
    if (!inst.virtual_ipaddress.empty()) {
      const net::Family family = inst.virtual_ipaddress.front().address.family();
      for (std::size_t i = 1; i < inst.virtual_ipaddress.size(); ++i) {
        if (inst.virtual_ipaddress[i].address.family() != family) {
          error(src.vips[i], "virtual_ipaddress " + inst.virtual_ipaddress[i].to_string() +
                                 " is not of the same address family as " +
                                 inst.virtual_ipaddress.front().to_string() +
                                 "; use one vrrp_instance per family");
        }
      }
      if (family == net::Family::ipv6 && !v3) {
        error(src.vips.front(), "IPv6 virtual_ipaddress needs version 3: VRRPv2 (RFC 3768) is "
                                "IPv4 only");
      }
      for (std::size_t i = 0; i < inst.unicast_peer.size(); ++i) {
        if (inst.unicast_peer[i].family() != family) {
          error(src.peers[i], "unicast_peer " + inst.unicast_peer[i].to_string() +
                                  " is not of the address family of the virtual_ipaddress");
        }
      }
      if (inst.unicast_src_ip && inst.unicast_src_ip->family() != family) {
        error(src.unicast_src_ip, "unicast_src_ip " + inst.unicast_src_ip->to_string() +
                                      " is not of the address family of the virtual_ipaddress");
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
    }
  }

 private:
  const std::string& file_;
  std::vector<Diagnostic>& out_;
};

}  // namespace

void validate(Config& config, const SourceMap& source, const std::string& file_name,
              std::vector<Diagnostic>& diagnostics) {
  Validator v(file_name, diagnostics);
  if (config.instances.empty()) {
    diagnostics.push_back({Severity::error, file_name, 0, 0,
                           "no vrrp_instance block: there is nothing to run"});
    return;
  }
  std::map<std::string, std::size_t> names;
  std::map<std::tuple<std::string, std::uint8_t, net::Family>, std::size_t> vrids;
  for (std::size_t i = 0; i < config.instances.size(); ++i) {
    VrrpInstance& inst = config.instances[i];
    const InstanceSource& src = source.instances[i];
    v.instance(config.global, inst, src);
    if (!inst.name.empty()) {
      auto [it, inserted] = names.emplace(inst.name, i);
      if (!inserted) {
        v.error(src.keyword, "vrrp_instance name '" + inst.name + "' is already used at " +
                                 at(source.instances[it->second].keyword));
      }
    }
    if (src.vrid_valid && !inst.interface.empty()) {
      const net::Family family = inst.virtual_ipaddress.empty()
                                     ? net::Family::ipv4
                                     : inst.virtual_ipaddress.front().address.family();
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
  }
}

}  // namespace redkeep::config
