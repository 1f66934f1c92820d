#include "config/builder.hpp"

#include <algorithm>
#include <map>

#include "config/decimal.hpp"
#include "config/keywords.hpp"

namespace redkeep::config {
namespace {

using Severity = Diagnostic::Severity;

bool all_digits(const std::string& s) {
  if (s.empty() || s.size() > 18) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// A non-negative decimal "12", "0.5", "40.95" scaled by 10^decimals. too_precise is set when it
// has more decimals than that (the value is then nullopt).
std::optional<std::uint64_t> parse_scaled(const std::string& s, int decimals, bool& too_precise) {
  too_precise = false;
  const auto dot = s.find('.');
  const std::string whole = s.substr(0, dot);
  std::string fraction = dot == std::string::npos ? "" : s.substr(dot + 1);
  if (!all_digits(whole) || whole.size() > 9) return std::nullopt;
  if (dot != std::string::npos && (fraction.empty() || !all_digits(fraction))) return std::nullopt;
  while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  if (static_cast<int>(fraction.size()) > decimals) {
    too_precise = true;
    return std::nullopt;
  }
  fraction.resize(decimals, '0');
  std::uint64_t scale = 1;
  for (int i = 0; i < decimals; ++i) scale *= 10;
  return std::stoull(whole) * scale + (decimals ? std::stoull(fraction) : 0);
}


Where where(const Token& t) { return {t.line, t.column}; }

bool is_secret_keyword(BlockKind block, const std::string& word) {
  return (block == BlockKind::authentication && word == "auth_pass") ||
         (block == BlockKind::redis && word == "password");
}

class Builder {
 public:
  explicit Builder(const std::string& file) : file_(file) {}

  BuildResult run(const std::vector<Statement>& statements) {
    for_each_statement(BlockKind::top, statements, [&](const Statement& st) {
      const std::string& kw = st.keyword.text;
      if (kw == "global_defs") {
        if (expect_block(st)) global_defs(st);
      } else if (kw == "vrrp_instance") {
        vrrp_instance(st);
      } else {
        return false;
      }
      return true;
    });
    return std::move(result_);
  }

 private:
  void report(Severity severity, const Token& at, std::string message) {
    result_.diagnostics.push_back({severity, file_, at.line, at.column, std::move(message)});
  }
  void error(const Token& at, std::string message) {
    report(Severity::error, at, std::move(message));
  }
  void warning(const Token& at, std::string message) {
    report(Severity::warning, at, std::move(message));
  }

  // Runs `handle` on each statement of a block; handles unknown and unsupported keywords, the
  // misplaced value of a secret keyword, and duplicate scalar keywords.
  template <typename Handler>
  void for_each_statement(BlockKind block, const std::vector<Statement>& statements,
                          Handler handle) {
    std::map<std::string, Where> seen;
    for (std::size_t i = 0; i < statements.size(); ++i) {
      const Statement& st = statements[i];
      const std::string& kw = st.keyword.text;
      if (st.keyword.broken) continue;
      if (is_secret_keyword(block, kw) && st.args.empty() && !st.has_block &&
          i + 1 < statements.size()) {
        // `auth_pass` with its value on the next line: that value must not be reported as an
        // unknown keyword (the message would quote the password).
        const Statement& next = statements[i + 1];
        const bool known = std::find(supported_keywords(block).begin(),
                                     supported_keywords(block).end(),
                                     next.keyword.text) != supported_keywords(block).end();
        if (!known && !unsupported_message(block, next.keyword.text) && !next.has_block) {
          result_.secrets.push_back(next.keyword.text);
          for (const Token& a : next.args) result_.secrets.push_back(a.text);
          error(st.keyword, "the value of " + kw + " must be on the same line as " + kw);
          ++i;
          continue;
        }
      }
      const auto& supported = supported_keywords(block);
      const bool is_supported =
          std::find(supported.begin(), supported.end(), kw) != supported.end();
      if (is_supported && !st.has_block && kw != "vrrp_instance") {
        auto it = seen.find(kw);
        if (it != seen.end()) {
          warning(st.keyword, "'" + kw + "' is set again; this value replaces the one at " +
                                  std::to_string(it->second.line) + ":" +
                                  std::to_string(it->second.column));
        }
        seen[kw] = where(st.keyword);
      }
      if (is_supported && handle(st)) continue;
      if (auto message = unsupported_message(block, kw)) {
        error(st.keyword, *message);
        continue;
      }
      std::string message = "unknown keyword '" + kw + "' in " + block_name(block);
      if (auto near = nearest_keyword(block, kw)) message += "; did you mean '" + *near + "'?";
      error(st.keyword, message);
    }
  }

  // --- argument shape -------------------------------------------------------------------

  // Exactly `count` value arguments and no block. `expected` names the value for messages.
  bool expect_args(const Statement& st, std::size_t count, const std::string& expected,
                   bool secret = false) {
    for (const Token& a : st.args) {
      if (a.broken) return false;  // reported by the lexer
    }
    if (secret) {
      for (const Token& a : st.args) result_.secrets.push_back(a.text);
      if (!result_.first_secret.present() && !st.args.empty()) {
        result_.first_secret = where(st.keyword);
      }
    }
    bool ok = true;
    if (st.args.size() < count) {
      error(st.keyword, "expected " + expected + " after " + st.keyword.text);
      ok = false;
    } else if (st.args.size() > count) {
      const Token& extra = st.args[count];
      if (secret) {
        error(extra, "unexpected extra value after " + st.keyword.text +
                         " (a value with spaces must be quoted)");
      } else {
        error(extra, "unexpected '" + extra.text + "' after " + st.keyword.text +
                         (count ? " " + st.args[count - 1].text : std::string()) +
                         ": expected the end of the line");
      }
      ok = false;
    }
    if (st.has_block) {
      error(st.open_brace, "unexpected '{': " + st.keyword.text + " does not take a block");
      ok = false;
    }
    return ok;
  }

  bool expect_block(const Statement& st, std::size_t name_args = 0,
                    const std::string& name_what = "") {
    bool ok = true;
    if (st.args.size() < name_args) {
      error(st.keyword, "expected " + name_what + " after " + st.keyword.text);
      ok = false;
    } else if (st.args.size() > name_args) {
      error(st.args[name_args], "unexpected '" + st.args[name_args].text + "' after " +
                                    st.keyword.text + ": expected '{'");
      ok = false;
    }
    if (!st.has_block) {
      error(st.keyword, "expected '{' after " + st.keyword.text);
      return false;
    }
    return ok;
  }

  // --- typed values ---------------------------------------------------------------------

  std::optional<std::uint64_t> number(const Statement& st, std::uint64_t min, std::uint64_t max) {
    const std::string expected =
        "a number from " + std::to_string(min) + " to " + std::to_string(max);
    if (!expect_args(st, 1, expected)) return std::nullopt;
    const Token& v = st.args[0];
    if (all_digits(v.text)) {
      const std::uint64_t n = std::stoull(v.text);
      if (n >= min && n <= max) return n;
    }
    error(v, "expected " + expected + " for " + st.keyword.text + ", got '" + v.text + "'");
    return std::nullopt;
  }

  // Seconds with up to `decimals` decimals, returned scaled by 10^decimals.
  // min/max are scaled too. min_exclusive_zero words the range as "greater than 0".
  std::optional<std::uint64_t> seconds(const Statement& st, int decimals, std::uint64_t min,
                                       std::uint64_t max, const std::string& note = "") {
    const std::string range =
        (min == 0 ? "from 0" : "from " + format_decimal(min, decimals)) + " to " +
        format_decimal(max, decimals);
    const std::string expected = (decimals ? "seconds " : "whole seconds ") + range + note;
    if (!expect_args(st, 1, expected)) return std::nullopt;
    const Token& v = st.args[0];
    bool too_precise = false;
    auto value = parse_scaled(v.text, decimals, too_precise);
    if (too_precise && decimals > 0) {
      const char* unit = decimals == 2 ? "centiseconds" : decimals == 3 ? "milliseconds" : "";
      error(v, "expected at most " + std::to_string(decimals) + " decimals (" + unit + ") for " +
                   st.keyword.text + ", got '" + v.text + "'");
      return std::nullopt;
    }
    if (value && *value >= min && *value <= max) return value;
    error(v, "expected " + expected + " for " + st.keyword.text + ", got '" + v.text + "'");
    return std::nullopt;
  }

  std::optional<std::string> word(const Statement& st, const std::string& expected) {
    if (!expect_args(st, 1, expected)) return std::nullopt;
    if (st.args[0].text.empty()) {
      error(st.args[0], "expected " + expected + " for " + st.keyword.text + ", got ''");
      return std::nullopt;
    }
    return st.args[0].text;
  }

  std::optional<net::IpAddress> address(const Token& t, const std::string& context) {
    if (auto a = net::IpAddress::parse(t.text)) return a;
    error(t, "expected an IPv4 or IPv6 address for " + context + ", got '" + t.text + "'");
    return std::nullopt;
  }

  // --- blocks ---------------------------------------------------------------------------

  void global_defs(const Statement& block) {
    GlobalDefs& g = result_.config.global;
    for_each_statement(BlockKind::global_defs, block.block, [&](const Statement& st) {
      const std::string& kw = st.keyword.text;
      if (kw == "router_id") {
        if (auto v = word(st, "a name")) g.router_id = *v;
      } else if (kw == "vrrp_version") {
        if (expect_args(st, 1, "2 or 3")) {
          const std::string& v = st.args[0].text;
          if (v == "2" || v == "3") {
            g.vrrp_version = v == "2" ? VrrpVersion::v2 : VrrpVersion::v3;
            result_.source.vrrp_version = where(st.keyword);
          } else {
            error(st.args[0], "expected 2 or 3 for vrrp_version, got '" + v + "'");
          }
        }
      } else if (kw == "control_socket") {
        if (auto v = word(st, "a path")) {
          // sockaddr_un::sun_path holds 108 bytes with the terminating NUL.
          if (v->size() > 107) {
            error(st.args[0], "control_socket path is " + std::to_string(v->size()) +
                                  " bytes; a unix socket path can have at most 107");
          } else {
            g.control_socket = *v;
          }
        }
      } else if (kw == "state_file") {
        if (auto v = word(st, "a path")) g.state_file = *v;
      } else {
        return false;
      }
      return true;
    });
  }

  void vrrp_instance(const Statement& block) {
    VrrpInstance inst;
    InstanceSource src;
    src.keyword = where(block.keyword);
    if (!block.args.empty()) inst.name = block.args[0].text;
    if (!expect_block(block, 1, "an instance name")) {
      if (!block.has_block) return;
    }
    for_each_statement(BlockKind::vrrp_instance, block.block, [&](const Statement& st) {
      const std::string& kw = st.keyword.text;
      if (kw == "state") {
        src.state = where(st.keyword);
        if (expect_args(st, 1, "MASTER or BACKUP")) {
          const std::string& v = st.args[0].text;
          if (v == "MASTER") {
            inst.state = InitialState::master;
          } else if (v == "BACKUP") {
            inst.state = InitialState::backup;
          } else {
            error(st.args[0], "expected MASTER or BACKUP for state, got '" + v + "'");
          }
        }
      } else if (kw == "interface") {
        src.interface = where(st.keyword);
        if (auto v = word(st, "an interface name")) {
          if (v->size() > 15) {
            error(st.args[0], "expected an interface name of at most 15 bytes (IFNAMSIZ) for "
                              "interface, got '" + *v + "'");
          } else if (*v == "." || *v == ".." ||
                     v->find_first_of("/: \t") != std::string::npos) {
            // The kernel's dev_valid_name(); "eth0:1" is an address label, not a link.
            error(st.args[0], "'" + *v + "' is not a Linux interface name (no '/', ':' or "
                              "spaces, not '.' or '..'); name the link itself, e.g. eth0");
          } else if (*v == "lo") {
            error(st.args[0], "interface lo reaches no other node: VRRP runs on the link the "
                              "peers share");
          } else {
            inst.interface = *v;
          }
        }
      } else if (kw == "virtual_router_id") {
        src.virtual_router_id = where(st.keyword);
        if (auto v = number(st, 1, 255)) {
          inst.virtual_router_id = static_cast<std::uint8_t>(*v);
          src.vrid_valid = true;
        }
      } else if (kw == "priority") {
        src.priority = where(st.keyword);
        if (expect_args(st, 1, "a number from 1 to 254")) {
          const Token& v = st.args[0];
          if (v.text == "255") {
            error(v, "priority 255 is refused: 255 means the address owner (RFC 3768 section "
                     "5.3.4), which does not fit a floating VIP; expected a number from 1 to 254");
          } else if (all_digits(v.text) && std::stoull(v.text) >= 1 &&
                     std::stoull(v.text) <= 254) {
            inst.priority = static_cast<std::uint8_t>(std::stoull(v.text));
          } else {
            error(v, "expected a number from 1 to 254 for priority, got '" + v.text + "'");
          }
        }
      } else if (kw == "nopreempt") {
        src.nopreempt = where(st.keyword);
        if (expect_args(st, 0, "nothing")) inst.nopreempt = true;
      } else if (kw == "preempt_delay") {
        src.preempt_delay = where(st.keyword);
        if (auto v = seconds(st, 3, 0, 1000 * 1000)) {
          inst.preempt_delay = std::chrono::milliseconds(*v);
        }
      } else if (kw == "advert_int") {
        if (auto v = seconds(st, 2, 1, 25500,
                             " (whole seconds with version 2, 0.01 steps up to 40.95 with "
                             "version 3)")) {
          inst.advert_int_cs = static_cast<std::uint16_t>(*v);
          src.advert_int = where(st.args[0]);
          src.advert_int_text = st.args[0].text;
        }
      } else if (kw == "version") {
        if (expect_args(st, 1, "2 or 3")) {
          const std::string& v = st.args[0].text;
          if (v == "2" || v == "3") {
            inst.version = v == "2" ? VrrpVersion::v2 : VrrpVersion::v3;
            src.version = where(st.keyword);
          } else {
            error(st.args[0], "expected 2 or 3 for version, got '" + v + "'");
          }
        }
      } else if (kw == "authentication") {
        if (!src.authentication.present()) src.authentication = where(st.keyword);
        if (expect_block(st)) authentication(st, inst, src);
      } else if (kw == "virtual_ipaddress") {
        if (!src.virtual_ipaddress.present()) src.virtual_ipaddress = where(st.keyword);
        if (expect_block(st)) virtual_ipaddress(st, inst, src);
      } else if (kw == "unicast_src_ip") {
        src.unicast_src_ip = where(st.keyword);
        if (expect_args(st, 1, "an IPv4 or IPv6 address")) {
          if (auto a = address(st.args[0], "unicast_src_ip")) inst.unicast_src_ip = *a;
        }
      } else if (kw == "unicast_peer") {
        if (expect_block(st)) unicast_peer(st, inst, src);
      } else if (kw == "v3_checksum_as_v2") {
        src.v3_checksum_as_v2 = where(st.keyword);
        if (expect_args(st, 0, "nothing")) inst.v3_checksum_as_v2 = true;
      } else if (kw == "garp_master_delay") {
        if (auto v = seconds(st, 0, 0, 3600)) inst.garp_master_delay = std::chrono::seconds(*v);
      } else if (kw == "garp_master_repeat") {
        if (auto v = repeat(st)) inst.garp_master_repeat = *v;
      } else if (kw == "garp_master_refresh") {
        if (auto v = seconds(st, 0, 0, 86400)) {
          inst.garp_master_refresh = std::chrono::seconds(*v);
        }
      } else if (kw == "garp_master_refresh_repeat") {
        if (auto v = repeat(st)) inst.garp_master_refresh_repeat = *v;
      } else if (kw == "redis") {
        if (src.redis.present()) {
          error(st.keyword, "a second redis block in vrrp_instance " + inst.name +
                                "; the first is at " + std::to_string(src.redis.line) + ":" +
                                std::to_string(src.redis.column));
          return true;
        }
        src.redis = where(st.keyword);
        if (expect_block(st)) redis(st, inst, src);
      } else {
        return false;
      }
      return true;
    });
    result_.config.instances.push_back(std::move(inst));
    result_.source.instances.push_back(std::move(src));
  }

  // keepalived takes a repeat count of 0 as 1, with a message; so does redkeep.
  std::optional<unsigned> repeat(const Statement& st) {
    auto v = number(st, 0, 1000);
    if (v && *v == 0) {
      warning(st.args[0], st.keyword.text + " 0 is taken as 1, as keepalived does");
      return 1;
    }
    if (v) return static_cast<unsigned>(*v);
    return std::nullopt;
  }

  void authentication(const Statement& block, VrrpInstance& inst, InstanceSource& src) {
    for_each_statement(BlockKind::authentication, block.block, [&](const Statement& st) {
      const std::string& kw = st.keyword.text;
      if (kw == "auth_type") {
        src.auth_type = where(st.keyword);
        if (expect_args(st, 1, "PASS")) {
          const std::string& v = st.args[0].text;
          if (v == "PASS") {
            inst.auth_type = AuthType::pass;
          } else if (v == "AH") {
            error(st.args[0], "auth_type AH is not supported: use PASS, or no authentication");
          } else {
            error(st.args[0], "expected PASS or AH for auth_type, got '" + v + "'");
          }
        }
      } else if (kw == "auth_pass") {
        src.auth_pass = where(st.keyword);
        if (expect_args(st, 1, "a password", true)) {
          std::string pass = st.args[0].text;
          if (pass.size() > 8) {
            warning(st.args[0], "auth_pass is longer than 8 bytes; only its first 8 bytes are "
                                "used, as keepalived does");
            pass.resize(8);
          }
          inst.auth_pass = Secret(pass);
        }
      } else {
        return false;
      }
      return true;
    });
  }

  // Options keepalived accepts after a virtual_ipaddress entry.
  static bool is_vip_option(const std::string& w) {
    static const char* const options[] = {"dev", "label", "brd", "broadcast", "scope",
                                          "no_track", "preferred_lft", "home", "nodad",
                                          "noprefixroute", "autojoin", "track_group"};
    for (const char* o : options) {
      if (w == o) return true;
    }
    return false;
  }

  void virtual_ipaddress(const Statement& block, VrrpInstance& inst, InstanceSource& src) {
    for (const Statement& st : block.block) {
      if (st.has_block) error(st.open_brace, "unexpected '{' in virtual_ipaddress");
      std::vector<const Token*> entries{&st.keyword};
      for (const Token& a : st.args) entries.push_back(&a);
      for (const Token* t : entries) {
        if (t->broken) break;
        ++src.vip_tokens;
        if (is_vip_option(t->text)) {
          error(*t, "'" + t->text + "' options of virtual_ipaddress entries are not supported "
                    "yet; the VIP goes on the vrrp_instance's interface");
          break;
        }
        const auto slash = t->text.find('/');
        auto a = net::IpAddress::parse(t->text.substr(0, slash));
        if (!a) {
          error(*t, "expected an IPv4 or IPv6 address with an optional /prefix length in "
                    "virtual_ipaddress, got '" + t->text + "'");
          continue;
        }
        const unsigned max_length = a->is_v4() ? 32 : 128;
        net::IpPrefix prefix{*a, static_cast<std::uint8_t>(max_length)};
        if (slash != std::string::npos) {
          const std::string length = t->text.substr(slash + 1);
          if (!all_digits(length) || length.size() > 3 || std::stoul(length) > max_length) {
            error(*t, "expected a prefix length from " +
                          std::string(a->is_v4() ? "8" : "0") + " to " +
                          std::to_string(max_length) +
                          " after the " + (a->is_v4() ? "IPv4" : "IPv6") + " address " +
                          a->to_string() + ", got '" + length + "'");
            continue;
          }
          prefix.prefix_length = static_cast<std::uint8_t>(std::stoul(length));
        }
        if (a->is_multicast()) {
          error(*t, "virtual_ipaddress " + a->to_string() + " is a multicast address");
          continue;
        }
        inst.virtual_ipaddress.push_back(prefix);
        src.vips.push_back(where(*t));
      }
    }
  }

  void unicast_peer(const Statement& block, VrrpInstance& inst, InstanceSource& src) {
    for (const Statement& st : block.block) {
      if (st.has_block) error(st.open_brace, "unexpected '{' in unicast_peer");
      std::vector<const Token*> entries{&st.keyword};
      for (const Token& a : st.args) entries.push_back(&a);
      for (const Token* t : entries) {
        if (t->broken) break;
        if (t->text == "min_ttl" || t->text == "max_ttl") {
          error(*t, "'" + t->text + "' options of unicast_peer entries are not supported yet");
          break;
        }
        if (auto a = address(*t, "unicast_peer")) {
          inst.unicast_peer.push_back(*a);
          src.peers.push_back(where(*t));
        }
      }
    }
  }

  void redis(const Statement& block, VrrpInstance& inst, InstanceSource& src) {
    RedisSettings r;
    std::optional<Token> max_lag;
    bool to_write_given = false;  // even when invalid (its own error then)
    for_each_statement(BlockKind::redis, block.block, [&](const Statement& st) {
      const std::string& kw = st.keyword.text;
      if (kw == "host") {
        if (auto v = word(st, "an address or host name")) {
          const auto colon = v->find(':');
          if (colon != std::string::npos && v->find(':', colon + 1) == std::string::npos) {
            error(st.args[0], "host takes an address or a name, not '" + *v +
                                  "': put the port in `port`");
          } else {
            r.host = *v;
          }
        }
      } else if (kw == "port") {
        if (auto v = number(st, 1, 65535)) r.port = static_cast<std::uint16_t>(*v);
      } else if (kw == "password") {
        src.password = where(st.keyword);
        if (expect_args(st, 1, "a password", true)) {
          if (st.args[0].text.empty()) {
            error(st.args[0], "expected a non-empty password for password");
          } else {
            r.password = Secret(st.args[0].text);
          }
        }
      } else if (kw == "password_file") {
        src.password_file = where(st.keyword);
        if (auto v = word(st, "a path")) r.password_file = *v;
      } else if (kw == "user") {
        src.user = where(st.keyword);
        if (auto v = word(st, "an ACL user name")) r.user = *v;
      } else if (kw == "check_interval") {
        if (auto v = seconds(st, 3, 1, 3600 * 1000)) {
          r.check_interval = std::chrono::milliseconds(*v);
        }
      } else if (kw == "check_timeout") {
        if (auto v = seconds(st, 3, 1, 3600 * 1000)) {
          r.check_timeout = std::chrono::milliseconds(*v);
        }
      } else if (kw == "fall") {
        if (auto v = number(st, 1, 1000)) r.fall = static_cast<unsigned>(*v);
      } else if (kw == "rise") {
        if (auto v = number(st, 1, 1000)) r.rise = static_cast<unsigned>(*v);
      } else if (kw == "min_replicas_to_write") {
        to_write_given = true;
        if (auto v = number(st, 0, 1000)) r.min_replicas_to_write = static_cast<unsigned>(*v);
      } else if (kw == "min_replicas_max_lag") {
        max_lag = st.keyword;
        if (auto v = number(st, 1, 3600)) r.min_replicas_max_lag = static_cast<unsigned>(*v);
      } else {
        return false;
      }
      return true;
    });
    if (max_lag && !to_write_given) {
      warning(*max_lag, "min_replicas_max_lag has no effect without min_replicas_to_write: "
                        "redkeep leaves Redis's min-replicas settings alone");
    }
    inst.redis = std::move(r);
  }

  const std::string& file_;
  BuildResult result_;
};

}  // namespace

BuildResult build_config(const std::vector<Statement>& statements, const std::string& file_name) {
  return Builder(file_name).run(statements);
}

}  // namespace redkeep::config
