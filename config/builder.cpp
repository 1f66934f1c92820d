#include "config/builder.hpp"

#include <algorithm>
#include <map>

#include "config/decimal.hpp"
#include "config/keyword_table.hpp"
#include "config/keywords.hpp"
#include "redis/command_names.hpp"

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

class Builder {
 public:
  explicit Builder(const std::string& file) : file_(file) {}

  BuildResult run(const std::vector<Statement>& statements) {
    for_each_statement(BlockKind::top, statements, [&](const KeywordSpec&, const Statement& st) {
      if (st.keyword.text == "vrrp_instance") {
        vrrp_instance(st);
      } else if (st.keyword.text == "vrrp_script") {
        vrrp_script(st);
      } else if (expect_block(st)) {
        global_defs(st);
      }
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

  // Runs `handle` on each statement of a block with its row of the keyword table; handles
  // unknown and unsupported keywords, the misplaced value of a secret keyword, and duplicate
  // scalar keywords.
  template <typename Handler>
  void for_each_statement(BlockKind block, const std::vector<Statement>& statements,
                          Handler handle) {
    std::map<std::string, Where> seen;
    for (std::size_t i = 0; i < statements.size(); ++i) {
      const Statement& st = statements[i];
      const std::string& kw = st.keyword.text;
      if (st.keyword.broken) continue;
      const KeywordSpec* spec = find_keyword(block, kw);
      if (spec && spec->kind == ValueKind::secret && st.args.empty() && !st.has_block &&
          i + 1 < statements.size()) {
        // `auth_pass` with its value on the next line: that value must not be reported as an
        // unknown keyword (the message would quote the password).
        const Statement& next = statements[i + 1];
        if (!find_keyword(block, next.keyword.text) &&
            !unsupported_message(block, next.keyword.text) && !next.has_block) {
          result_.secrets.push_back(next.keyword.text);
          for (const Token& a : next.args) result_.secrets.push_back(a.text);
          error(st.keyword, "the value of " + kw + " must be on the same line as " + kw);
          ++i;
          continue;
        }
      }
      if (spec) {
        if (!st.has_block && kw != "vrrp_instance" && kw != "vrrp_script" &&
            kw != "rename_command" && kw != "peer_address") {
          auto it = seen.find(kw);
          if (it != seen.end()) {
            warning(st.keyword, "'" + kw + "' is set again; this value replaces the one at " +
                                    std::to_string(it->second.line) + ":" +
                                    std::to_string(it->second.column));
          }
          seen[kw] = where(st.keyword);
        }
        handle(*spec, st);
        continue;
      }
      if (auto message = unsupported_message(block, kw)) {
        error(st.keyword, *message);
        continue;
      }
      std::string message = "unknown keyword '" + kw + "' in " + block_name(block);
      if (auto near = nearest_keyword(block, kw)) message += "; did you mean '" + *near + "'?";
      error(st.keyword, message);
    }
  }

  // Parses one scalar keyword's value as its row says and stores it through the row's setter.
  void apply(const KeywordSpec& k, const Statement& st, Target& target) {
    if (k.seen && target.instance_source) target.instance_source->*k.seen = where(st.keyword);
    auto value = parse_value(k, st);
    if (!value) return;
    if (auto warn = k.set(target, *value)) warning(st.args[0], *warn);
  }

  std::optional<Value> parse_value(const KeywordSpec& k, const Statement& st) {
    Value v;
    v.keyword = where(st.keyword);
    if (k.kind == ValueKind::flag) {
      if (!expect_args(st, 0, "nothing")) return std::nullopt;
      return v;
    }
    const std::string expected = expected_value(k);
    if (k.kind == ValueKind::command || k.kind == ValueKind::notify ||
        k.kind == ValueKind::weight || k.kind == ValueKind::user || k.kind == ValueKind::rename) {
      return parse_words(k, st, v);
    }
    if (k.kind == ValueKind::address_pair) {
      if (!expect_args(st, 2, expected)) return std::nullopt;
      v.at = where(st.args[0]);
      v.address = address(st.args[0], st.keyword.text);
      v.second = address(st.args[1], st.keyword.text);
      if (!v.address || !v.second) return std::nullopt;
      return v;
    }
    if (!expect_args(st, 1, expected, k.kind == ValueKind::secret)) return std::nullopt;
    const Token& t = st.args[0];
    v.text = t.text;
    v.at = where(t);
    if (k.check) {
      if (auto refusal = k.check(t.text)) {
        error(t, *refusal);
        return std::nullopt;
      }
    }
    switch (k.kind) {
      case ValueKind::number:
        if (!all_digits(t.text) || std::stoull(t.text) < k.min || std::stoull(t.text) > k.max)
          break;
        v.number = std::stoull(t.text);
        return v;
      case ValueKind::seconds: {
        bool too_precise = false;
        auto n = parse_scaled(t.text, k.decimals, too_precise);
        if (too_precise && k.decimals > 0) {
          const char* unit = k.decimals == 2 ? "centiseconds" : "milliseconds";
          error(t, "expected at most " + std::to_string(k.decimals) + " decimals (" + unit +
                       ") for " + st.keyword.text + ", got '" + t.text + "'");
          return std::nullopt;
        }
        if (!n || *n < k.min || *n > k.max) break;
        v.number = *n;
        return v;
      }
      case ValueKind::choice:
        if (std::find(k.choices.begin(), k.choices.end(), t.text) == k.choices.end()) break;
        return v;
      case ValueKind::word:
      case ValueKind::secret:
        if (t.text.empty()) break;
        return v;
      case ValueKind::address:
        v.address = address(t, st.keyword.text);
        if (!v.address) return std::nullopt;
        return v;
      case ValueKind::flag:
      case ValueKind::block:
      case ValueKind::list:
      case ValueKind::command:
      case ValueKind::notify:
      case ValueKind::weight:
      case ValueKind::user:
      case ValueKind::rename:
      case ValueKind::address_pair:
        return std::nullopt;
    }
    error(t, "expected " + expected + " for " + st.keyword.text + ", got '" + t.text + "'");
    return std::nullopt;
  }

  // The kinds whose value is several words: a command line, a weight with its option, a user
  // with its group.
  std::optional<Value> parse_words(const KeywordSpec& k, const Statement& st, Value& v) {
    const std::string& kw = st.keyword.text;
    std::size_t max_args = 2;
    if (k.kind == ValueKind::command) max_args = st.args.size();
    if (k.kind == ValueKind::notify) max_args = 3;
    if (k.kind == ValueKind::rename && st.args.size() == 1) {
      error(st.args[0], "expected the name " + st.args[0].text + " has in redis.conf after " + kw +
                            " " + st.args[0].text);
      return std::nullopt;
    }
    if (st.args.empty()) {
      error(st.keyword, "expected " + std::string(k.kind == ValueKind::weight
                                                      ? "a weight from -253 to 253"
                                                      : k.expected) +
                            " after " + kw);
      return std::nullopt;
    }
    if (!expect_args(st, std::min(st.args.size(), std::max<std::size_t>(max_args, 1)),
                     std::string(k.expected)))
      return std::nullopt;
    const Token& first = st.args[0];
    v.at = where(first);
    switch (k.kind) {
      case ValueKind::command:
        for (const Token& a : st.args) v.text += (v.text.empty() ? "" : " ") + a.text;
        if (v.text.find_first_not_of(" \t") == std::string::npos) {
          error(first, "expected a command line for " + kw + ", got an empty string");
          return std::nullopt;
        }
        return v;
      case ValueKind::notify:
        v.text = first.text;
        if (v.text.find_first_not_of(" \t") == std::string::npos) {
          error(first, "expected a command line for " + kw + ", got an empty string");
          return std::nullopt;
        }
        if (st.args.size() > 1) v.user = st.args[1].text;
        if (st.args.size() > 2) v.group = st.args[2].text;
        return v;
      case ValueKind::user:
        v.user = first.text;
        if (st.args.size() > 1) v.group = st.args[1].text;
        return v;
      case ValueKind::rename:
        return rename_value(st, v);
      default: {  // weight
        const bool negative = !first.text.empty() && first.text[0] == '-';
        const std::string digits = negative ? first.text.substr(1) : first.text;
        if (!all_digits(digits) || std::stoull(digits) > 253) {
          error(first, "expected a weight from -253 to 253 for " + kw + ", got '" + first.text +
                           "'" +
                           (all_digits(digits) && std::stoull(digits) == 254
                                ? " (keepalived takes +/-254 as 253)"
                                : ""));
          return std::nullopt;
        }
        v.integer = static_cast<int>(std::stoull(digits)) * (negative ? -1 : 1);
        if (st.args.size() > 1) {
          if (st.args[1].text != "reverse") {
            error(st.args[1], "unexpected '" + st.args[1].text + "' after " + kw + " " +
                                  first.text + ": expected 'reverse' or the end of the line");
            return std::nullopt;
          }
          v.reverse = true;
        }
        return v;
      }
    }
  }

  // rename_command ORIGINAL NEW: ORIGINAL one of the commands redkeep sends (any case), NEW a
  // name Redis can look up (a renamed-to-"" command is disabled: redkeep cannot send it).
  std::optional<Value> rename_value(const Statement& st, Value& v) {
    const Token& original = st.args[0];
    const Token& renamed = st.args[1];
    if (!redis::is_command_sent(original.text)) {
      std::string all;
      for (const auto& c : redis::commands_sent()) all += (all.empty() ? "" : " ") + c;
      error(original, "redkeep never sends '" + original.text + "'; rename_command takes one of " +
                          all);
      return std::nullopt;
    }
    if (renamed.text.empty() || renamed.text.find_first_of(" \t\r\n") != std::string::npos) {
      error(renamed, "expected the name " + original.text +
                         " has in redis.conf (one word); a command renamed to \"\" is disabled "
                         "and redkeep cannot send it");
      return std::nullopt;
    }
    v.text = redis::upper(original.text);
    v.renamed = renamed.text;
    return v;
  }

  // How a row's value is named in messages: "a number from 1 to 255", "seconds from 0 to 5".
  static std::string expected_value(const KeywordSpec& k) {
    if (k.kind == ValueKind::number)
      return "a number from " + std::to_string(k.min) + " to " + std::to_string(k.max);
    if (k.kind != ValueKind::seconds) return std::string(k.expected);
    const std::string range =
        (k.min == 0 ? "from 0" : "from " + format_decimal(k.min, k.decimals)) + " to " +
        format_decimal(k.max, k.decimals);
    return (k.decimals ? "seconds " : "whole seconds ") + range + std::string(k.range_note);
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
        std::string before;
        for (std::size_t i = 0; i < count; ++i) before += " " + st.args[i].text;
        error(extra, "unexpected '" + extra.text + "' after " + st.keyword.text + before +
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

  std::optional<net::IpAddress> address(const Token& t, const std::string& context) {
    if (auto a = net::IpAddress::parse(t.text)) return a;
    error(t, "expected an IPv4 or IPv6 address for " + context + ", got '" + t.text + "'");
    return std::nullopt;
  }

  // --- blocks ---------------------------------------------------------------------------

  void global_defs(const Statement& block) {
    Target t;
    t.global = &result_.config.global;
    t.source = &result_.source;
    for_each_statement(BlockKind::global_defs, block.block,
                       [&](const KeywordSpec& k, const Statement& st) { apply(k, st, t); });
  }

  void vrrp_instance(const Statement& block) {
    VrrpInstance inst;
    InstanceSource src;
    src.keyword = where(block.keyword);
    if (!block.args.empty()) inst.name = block.args[0].text;
    if (!expect_block(block, 1, "an instance name")) {
      if (!block.has_block) return;
    }
    Target t;
    t.instance = &inst;
    t.instance_source = &src;
    for_each_statement(
        BlockKind::vrrp_instance, block.block, [&](const KeywordSpec& k, const Statement& st) {
          const std::string& kw = st.keyword.text;
          if (k.kind != ValueKind::block && k.kind != ValueKind::list) {
            apply(k, st, t);
          } else if (kw == "authentication") {
            if (!src.authentication.present()) src.authentication = where(st.keyword);
            if (expect_block(st)) authentication(st, t);
          } else if (kw == "virtual_ipaddress") {
            if (!src.virtual_ipaddress.present()) src.virtual_ipaddress = where(st.keyword);
            if (expect_block(st)) virtual_ipaddress(st, inst, src);
          } else if (kw == "unicast_peer") {
            if (expect_block(st)) unicast_peer(st, inst, src);
          } else if (kw == "track_script") {
            if (expect_block(st)) track_script(st, src);
          } else if (kw == "redis") {
            if (src.redis.present()) {
              error(st.keyword, "a second redis block in vrrp_instance " + inst.name +
                                    "; the first is at " + std::to_string(src.redis.line) + ":" +
                                    std::to_string(src.redis.column));
              return;
            }
            src.redis = where(st.keyword);
            if (expect_block(st)) redis(st, t);
          }
        });
    result_.config.instances.push_back(std::move(inst));
    result_.source.instances.push_back(std::move(src));
  }

  void authentication(const Statement& block, Target& t) {
    for_each_statement(BlockKind::authentication, block.block,
                       [&](const KeywordSpec& k, const Statement& st) { apply(k, st, t); });
  }

  // Options keepalived accepts after a virtual_ipaddress entry.
  static bool is_vip_option(const std::string& w) {
    static const char* const options[] = {"dev",   "label",         "brd",           "broadcast",
                                          "scope", "no_track",      "preferred_lft", "home",
                                          "nodad", "noprefixroute", "autojoin",      "track_group"};
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
          error(*t, "'" + t->text +
                        "' options of virtual_ipaddress entries are not supported "
                        "yet; the VIP goes on the vrrp_instance's interface");
          break;
        }
        const auto slash = t->text.find('/');
        auto a = net::IpAddress::parse(t->text.substr(0, slash));
        if (!a) {
          error(*t,
                "expected an IPv4 or IPv6 address with an optional /prefix length in "
                "virtual_ipaddress, got '" +
                    t->text + "'");
          continue;
        }
        const unsigned max_length = a->is_v4() ? 32 : 128;
        net::IpPrefix prefix{*a, static_cast<std::uint8_t>(max_length)};
        if (slash != std::string::npos) {
          const std::string length = t->text.substr(slash + 1);
          if (!all_digits(length) || length.size() > 3 || std::stoul(length) > max_length) {
            error(*t, "expected a prefix length from " + std::string(a->is_v4() ? "8" : "0") +
                          " to " + std::to_string(max_length) + " after the " +
                          (a->is_v4() ? "IPv4" : "IPv6") + " address " + a->to_string() +
                          ", got '" + length + "'");
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

  // `vrrp_script NAME { ... }`.
  void vrrp_script(const Statement& block) {
    VrrpScript script;
    ScriptSource src;
    src.keyword = where(block.keyword);
    if (!block.args.empty()) script.name = block.args[0].text;
    if (!expect_block(block, 1, "a script name") && !block.has_block) return;
    Target t;
    t.script = &script;
    for_each_statement(BlockKind::vrrp_script, block.block,
                       [&](const KeywordSpec& k, const Statement& st) {
                         if (k.name == "script") src.script = where(st.keyword);
                         if (k.name == "user") src.user = where(st.keyword);
                         apply(k, st, t);
                       });
    result_.config.scripts.push_back(std::move(script));
    result_.source.scripts.push_back(src);
  }

  // `track_script { NAME [weight N [reverse|noreverse]] ... }`, kept as written: validate()
  // resolves the names once every vrrp_script is known (they may come after the instance).
  void track_script(const Statement& block, InstanceSource& src) {
    for (const Statement& st : block.block) {
      if (st.keyword.broken) continue;
      if (st.has_block) error(st.open_brace, "unexpected '{' in track_script");
      InstanceSource::Track track{st.keyword.text, where(st.keyword), std::nullopt, std::nullopt};
      const auto& a = st.args;
      if (!a.empty()) {
        Value v;
        KeywordSpec spec;
        spec.kind = ValueKind::weight;
        Statement weight{a[0], {a.begin() + 1, a.end()}, false, {}, {}};
        if (a[0].text != "weight") {
          error(a[0], "unexpected '" + a[0].text + "' after track_script entry " +
                          st.keyword.text + ": expected 'weight N [reverse|noreverse]'");
          continue;
        }
        // `noreverse` (keepalived) overrides a script's `reverse`.
        if (a.size() == 3 && a[2].text == "noreverse") {
          weight.args.pop_back();
          track.reverse = false;
        }
        if (!parse_words(spec, weight, v)) continue;
        track.weight = v.integer;
        if (v.reverse) track.reverse = true;
      }
      src.tracks.push_back(std::move(track));
    }
  }

  void redis(const Statement& block, Target& t) {
    RedisSettings r;
    Target rt = t;
    rt.redis = &r;
    for_each_statement(BlockKind::redis, block.block,
                       [&](const KeywordSpec& k, const Statement& st) { apply(k, st, rt); });
    // Written at all counts, valid or not (an invalid value has its own error).
    auto written = [&](const char* keyword) {
      return std::find_if(block.block.begin(), block.block.end(),
                          [&](const Statement& st) { return st.keyword.text == keyword; });
    };
    const auto max_lag = written("min_replicas_max_lag");
    if (max_lag != block.block.end() && written("min_replicas_to_write") == block.block.end()) {
      warning(max_lag->keyword,
              "min_replicas_max_lag has no effect without "
              "min_replicas_to_write: redkeep leaves Redis's min-replicas "
              "settings alone");
    }
    t.instance->redis = std::move(r);
  }

  const std::string& file_;
  BuildResult result_;
};

}  // namespace

BuildResult build_config(const std::vector<Statement>& statements, const std::string& file_name) {
  return Builder(file_name).run(statements);
}

}  // namespace redkeep::config
