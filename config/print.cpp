#include "config/print.hpp"

#include <sstream>

#include "config/decimal.hpp"

namespace redkeep::config {
namespace {

std::string value(const std::string& s) {
  bool quote = s.empty();
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '#' || c == '!' || c == '{' || c == '}' || c == '"') {
      quote = true;
    }
  }
  return quote ? "\"" + s + "\"" : s;
}


std::string ms(std::chrono::milliseconds d) {
  return format_decimal(static_cast<std::uint64_t>(d.count()), 3);
}

const char* version(VrrpVersion v) { return v == VrrpVersion::v3 ? "3" : "2"; }

}  // namespace

std::string format_effective(const Config& config) {
  std::ostringstream o;
  const GlobalDefs& g = config.global;
  o << "# redkeep effective configuration: defaults filled in, secrets shown as ***\n";
  o << "global_defs {\n";
  if (g.router_id) {
    o << "    router_id " << value(*g.router_id) << "\n";
  } else {
    o << "    # router_id not set: the host name is used\n";
  }
  o << "    vrrp_version " << version(g.vrrp_version) << "\n";
  o << "    control_socket " << value(g.control_socket) << "    # redkeep extension\n";
  o << "    state_file " << value(g.state_file) << "    # redkeep extension\n";
  if (g.metrics_listen)
    o << "    metrics_listen " << g.metrics_listen->to_string() << "    # redkeep extension\n";
  else
    o << "    # metrics_listen not set: no /metrics\n";
  o << "}\n";
  for (const VrrpScript& s : config.scripts) {
    o << "\nvrrp_script " << value(s.name) << " {\n";
    o << "    script " << value(s.script) << "\n";
    o << "    interval " << ms(s.interval) << "\n";
    o << "    timeout " << ms(s.effective_timeout()) << "\n";
    o << "    weight " << s.weight << (s.weight_reverse ? " reverse" : "") << "\n";
    o << "    rise " << s.rise << "\n";
    o << "    fall " << s.fall << "\n";
    if (s.user) o << "    user " << value(*s.user) << (s.group ? " " + value(*s.group) : "") << "\n";
    if (s.init_fail) o << "    init_fail\n";
    o << "}\n";
  }
  for (const VrrpInstance& i : config.instances) {
    o << "\nvrrp_instance " << value(i.name) << " {\n";
    o << "    state " << (i.state == InitialState::master ? "MASTER" : "BACKUP") << "\n";
    o << "    interface " << value(i.interface) << "\n";
    o << "    virtual_router_id " << unsigned{i.virtual_router_id} << "\n";
    o << "    priority " << unsigned{i.priority} << "\n";
    if (i.nopreempt) o << "    nopreempt\n";
    // keepalived ignores preempt_delay with state MASTER (and says so): not printed there.
    if (i.state == InitialState::backup) {
      o << "    preempt_delay " << ms(i.preempt_delay) << "\n";
    }
    o << "    advert_int " << format_decimal(i.advert_int_cs, 2) << "\n";
    o << "    version " << version(i.version) << "\n";
    if (i.auth_type == AuthType::pass) {
      o << "    authentication {\n";
      o << "        auth_type PASS\n";
      o << "        auth_pass ***\n";
      o << "    }\n";
    }
    o << "    virtual_ipaddress {\n";
    for (const net::IpPrefix& p : i.virtual_ipaddress) o << "        " << p.to_string() << "\n";
    o << "    }\n";
    if (i.unicast_src_ip) o << "    unicast_src_ip " << i.unicast_src_ip->to_string() << "\n";
    if (!i.unicast_peer.empty()) {
      o << "    unicast_peer {\n";
      for (const net::IpAddress& a : i.unicast_peer) o << "        " << a.to_string() << "\n";
      o << "    }\n";
    }
    if (i.v3_checksum_as_v2) o << "    v3_checksum_as_v2\n";
    o << "    garp_master_delay " << i.garp_master_delay.count() << "\n";
    o << "    garp_master_repeat " << i.garp_master_repeat << "\n";
    o << "    garp_master_refresh " << i.garp_master_refresh.count() << "\n";
    o << "    garp_master_refresh_repeat " << i.garp_master_refresh_repeat << "\n";
    if (i.redis) {
      const RedisSettings& r = *i.redis;
      o << "    redis {\n";
      o << "        host " << value(r.host) << "\n";
      o << "        port " << r.port << "\n";
      if (r.user) o << "        user " << value(*r.user) << "\n";
      if (r.password) o << "        password ***\n";
      if (r.password_file) o << "        password_file " << value(*r.password_file) << "\n";
      o << "        check_interval " << ms(r.check_interval) << "\n";
      o << "        check_timeout " << ms(r.check_timeout) << "\n";
      o << "        fall " << r.fall << "\n";
      o << "        rise " << r.rise << "\n";
      if (r.min_replicas_to_write) {
        o << "        min_replicas_to_write " << *r.min_replicas_to_write << "\n";
        o << "        min_replicas_max_lag " << r.min_replicas_max_lag << "\n";
      }
      if (r.cold_start_quorum) o << "        cold_start_quorum " << *r.cold_start_quorum << "\n";
      for (const auto& [original, renamed] : r.rename_command)
        o << "        rename_command " << original << " " << value(renamed) << "\n";
      for (const auto& [source, address] : r.peer_address)
        o << "        peer_address " << source.to_string() << " " << address.to_string() << "\n";
      o << "        manage_masterauth " << (r.manage_masterauth ? "yes" : "no") << "\n";
      o << "    }\n";
    } else {
      o << "    # no redis block: plain VRRP, no Redis health check or role switching\n";
    }
    if (!i.track_script.empty()) {
      o << "    track_script {\n";
      for (const TrackedScript& t : i.track_script)
        o << "        " << value(t.script.name) << " weight " << t.weight
          << (t.weight_reverse ? " reverse" : t.script.weight_reverse ? " noreverse" : "")
          << "\n";
      o << "    }\n";
    }
    const std::pair<const char*, const std::optional<NotifyScript>*> notifies[] = {
        {"notify_master", &i.notify.master}, {"notify_backup", &i.notify.backup},
        {"notify_fault", &i.notify.fault},   {"notify_stop", &i.notify.stop},
        {"notify", &i.notify.any}};
    for (const auto& [keyword, script] : notifies) {
      if (!*script) continue;
      o << "    " << keyword << " \"" << (*script)->command << "\"";
      if ((*script)->user) o << " " << value(*(*script)->user);
      if ((*script)->group) o << " " << value(*(*script)->group);
      o << "\n";
    }
    o << "}\n";
  }
  return o.str();
}

}  // namespace redkeep::config
