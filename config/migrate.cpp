#include "config/migrate.hpp"

#include <map>
#include <optional>
#include <sstream>

#include "config/keyword_table.hpp"
#include "config/keywords.hpp"
#include "config/lexer.hpp"
#include "config/syntax.hpp"
#include "exec/command_line.hpp"
#include "net/ip_address.hpp"

namespace redkeep::config {
namespace {

constexpr const char* kIndent = "    ";

std::string token_text(const Token& t) {
  return t.kind == Token::Kind::string ? "\"" + t.text + "\"" : t.text;
}

std::string line_of(const Statement& st) { return "line " + std::to_string(st.keyword.line); }

/// The statement's words as written ("priority 150").
std::string words(const Statement& st) {
  std::string out = token_text(st.keyword);
  for (const Token& a : st.args) out += " " + token_text(a);
  return out;
}

/// The value of `keyword` in `block` (its first argument), if written.
std::optional<std::string> value_of(const std::vector<Statement>& block, const char* keyword) {
  std::optional<std::string> out;
  for (const Statement& st : block)
    if (st.keyword.text == keyword && !st.args.empty()) out = st.args[0].text;
  return out;
}

/// What a script does, from the file its line runs (or the line itself when it runs no file,
/// e.g. `script "redis-cli -p 6379 ping"`).
struct Script {
  ScriptVerdict verdict;
  bool unreadable = false;
};

Script read_script(const std::string& line, const ReadFile& read) {
  Script s;
  const auto cmd = exec::parse_command_line(line);
  const auto slash = cmd.argv.empty() ? std::string::npos : cmd.argv[0].rfind('/');
  const bool redis_cli = !cmd.argv.empty() && cmd.argv[0].substr(slash + 1) == "redis-cli";
  if (!cmd.shell && slash != std::string::npos && !redis_cli) {
    const std::string& program = cmd.argv[0];
    const auto text = read(program);
    if (!text) {
      s.unreadable = true;
      s.verdict.reason = program + " cannot be read";
      return s;
    }
    // A script file is read; a program (redis-cli itself) is the line's own command.
    if (text->rfind("#!", 0) == 0) {
      s.verdict = classify_script(*text, program, read);
      return s;
    }
  }
  s.verdict = classify_script(line, "", read);
  return s;
}

/// One vrrp_script block.
struct VrrpScriptInfo {
  const Statement* statement = nullptr;
  std::string line;  ///< its `script`
  Script script;
};

class Migrator {
 public:
  Migrator(const std::string& file, const ReadFile& read) : file_(file), read_(read) {}

  std::string run(const std::vector<Statement>& statements) {
    out_ << "# redkeep configuration made by `redkeep migrate " << file_ << "`.\n"
         << "# Each decision is a comment starting with \"migrate:\". Check it with\n"
         << "# `redkeep check --config FILE` before use.\n";
    for (const Statement& st : statements) {
      if (st.keyword.text == "vrrp_script" && st.has_block && !st.args.empty())
        scripts_[st.args[0].text] = read_vrrp_script(st);
      if (st.keyword.text == "global_defs")
        for (const Statement& inner : st.block)
          if (inner.keyword.text == "script_user" && !inner.args.empty() &&
              inner.args[0].text != "root")
            for (const Token& a : inner.args) script_user_.push_back(a.text);
    }
    for (const Statement& st : statements) {
      const std::string& kw = st.keyword.text;
      out_ << "\n";
      if (kw == "global_defs" && st.has_block) {
        global_defs(st);
      } else if (kw == "vrrp_script" && st.has_block && !st.args.empty()) {
        vrrp_script(st);
      } else if (kw == "vrrp_instance" && st.has_block) {
        vrrp_instance(st);
      } else if (kw == "include") {
        comment("", "not carried over: '" + words(st) + "' (" + line_of(st) +
                        "): what that file holds is not in this output; migrate it too and "
                        "put its instances and scripts here (redkeep reads one file)");
      } else {
        comment("", "not carried over: " + describe_unsupported(BlockKind::top, st));
      }
    }
    return out_.str();
  }

 private:
  void comment(const std::string& indent, const std::string& text) {
    std::string clean = text;  // what a file holds is not always text
    for (char& c : clean)
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
    out_ << indent << "# migrate: " << clean << "\n";
  }

  /// A statement, with its block, as written.
  void emit(const std::string& indent, const Statement& st) {
    out_ << indent << words(st);
    if (!st.has_block) {
      out_ << "\n";
      return;
    }
    out_ << " {\n";
    for (const Statement& inner : st.block) emit(indent + kIndent, inner);
    out_ << indent << "}\n";
  }

  static std::string describe_unsupported(BlockKind block, const Statement& st) {
    const std::string what = "'" + words(st) + "' (" + line_of(st) + ")";
    if (unsupported_message(block, st.keyword.text))
      return what + ": redkeep does not implement it";
    return what + ": not a keepalived keyword redkeep knows";
  }

  VrrpScriptInfo read_vrrp_script(const Statement& st) {
    VrrpScriptInfo info;
    info.statement = &st;
    for (const Statement& inner : st.block) {
      if (inner.keyword.text != "script") continue;
      info.line.clear();
      for (const Token& a : inner.args) info.line += (info.line.empty() ? "" : " ") + a.text;
    }
    info.script = read_script(info.line, read_);
    return info;
  }

  void global_defs(const Statement& st) {
    out_ << "global_defs {\n";
    for (const Statement& inner : st.block) {
      const std::string& kw = inner.keyword.text;
      if (find_keyword(BlockKind::global_defs, kw)) {
        emit(kIndent, inner);
      } else if (kw == "script_user" && !script_user_.empty()) {
        comment(kIndent, "'" + words(inner) + "' becomes `user` of each script kept");
      } else if (kw == "enable_script_security" || kw == "script_user") {
        comment(kIndent, "not carried over: '" + words(inner) +
                             "': redkeep runs scripts without its own capabilities, as its own "
                             "user unless a vrrp_script names `user` (redkeep as root)");
      } else {
        comment(kIndent,
                "not carried over: " + describe_unsupported(BlockKind::global_defs, inner));
      }
    }
    out_ << "}\n";
  }

  void vrrp_script(const Statement& st) {
    const VrrpScriptInfo& info = scripts_[st.args[0].text];
    const std::string name = st.args[0].text;
    if (info.script.verdict.kind == ScriptKind::redis_check) {
      comment("", "vrrp_script " + name + " only checks the local Redis (" +
                      info.script.verdict.reason +
                      "): replaced by the redis block of each instance that tracks it");
      return;
    }
    if (info.script.unreadable) {
      comment("", "vrrp_script " + name + ": " + info.script.verdict.reason +
                      ", so what it does is unknown: kept as a script");
    } else {
      comment("", "vrrp_script " + name + " does more than check Redis (" +
                      info.script.verdict.reason + "): kept as a script");
    }
    out_ << "vrrp_script " << token_text(st.args[0]) << " {\n";
    bool has_user = false;
    for (const Statement& inner : st.block) {
      if (find_keyword(BlockKind::vrrp_script, inner.keyword.text)) {
        emit(kIndent, inner);
        has_user = has_user || inner.keyword.text == "user";
      } else {
        comment(kIndent,
                "not carried over: " + describe_unsupported(BlockKind::vrrp_script, inner));
      }
    }
    if (!has_user && !script_user_.empty()) {
      comment(kIndent, "global_defs script_user");
      out_ << kIndent << "user";
      for (const auto& w : script_user_) out_ << " " << w;
      out_ << "\n";
    }
    out_ << "}\n";
  }

  /// The redis block an instance gets, from its Redis check script (timers) and the port its
  /// scripts name.
  struct RedisBlock {
    bool wanted = false;
    std::optional<int> port;
    std::optional<std::string> password, user;  // the scripts' redis-cli credentials
    std::vector<std::string> settings;          // check_interval 2, ...

    void take(const ScriptVerdict& v) {
      wanted = true;
      if (v.port && !port) port = v.port;
      if (v.password && !password) password = v.password;
      if (v.user && !user) user = v.user;
    }
  };

  void track_script(const Statement& st, RedisBlock& redis) {
    std::vector<const Statement*> kept;
    for (const Statement& entry : st.block) {
      auto it = scripts_.find(entry.keyword.text);
      if (it == scripts_.end() || it->second.script.verdict.kind != ScriptKind::redis_check) {
        kept.push_back(&entry);
        continue;
      }
      const VrrpScriptInfo& info = it->second;
      if (info.script.verdict.port) redis.port = info.script.verdict.port;
      redis.take(info.script.verdict);
      const auto& block = info.statement->block;
      const auto interval = value_of(block, "interval").value_or("1");
      const std::string weight = entry.args.size() >= 2 && entry.args[0].text == "weight"
                                     ? entry.args[1].text
                                     : value_of(block, "weight").value_or("0");
      redis.settings = {"check_interval " + interval,
                        "check_timeout " + value_of(block, "timeout").value_or(interval),
                        "fall " + value_of(block, "fall").value_or("1"),
                        "rise " + value_of(block, "rise").value_or("1")};
      comment(kIndent,
              "track_script " + entry.keyword.text + " replaced by the redis block below" +
                  (weight == "0" ? std::string()
                                 : " (its weight " + weight +
                                       " becomes FAULT: redkeep takes a node whose Redis fails "
                                       "out of the election)"));
    }
    if (kept.empty()) return;
    out_ << kIndent << "track_script {\n";
    for (const Statement* entry : kept) emit(std::string(kIndent) + kIndent, *entry);
    out_ << kIndent << "}\n";
  }

  void notify(const Statement& st, RedisBlock& redis) {
    std::string line = st.args.empty() ? std::string() : st.args[0].text;
    const Script script = read_script(line, read_);
    const std::string& kw = st.keyword.text;
    if (script.verdict.kind == ScriptKind::redis_role) {
      redis.take(script.verdict);
      comment(kIndent, kw + " dropped: it only switches the local Redis's role (" +
                           script.verdict.reason + "); redkeep does that itself");
      return;
    }
    if (script.unreadable) {
      comment(kIndent, kw + ": " + script.verdict.reason +
                           ", so what it does is unknown: kept (check it does not switch Redis "
                           "roles: redkeep does that itself)");
    } else {
      comment(kIndent, kw + " kept: " + script.verdict.reason);
    }
    out_ << kIndent << words(st);
    if (st.args.size() == 1 && !script_user_.empty()) {
      for (const auto& w : script_user_) out_ << " " << w;
      out_ << "    # global_defs script_user";
    }
    out_ << "\n";
  }

  /// The password (and ACL user) the scripts' redis-cli calls used.
  void credentials(const RedisBlock& redis) {
    const std::string in = std::string(kIndent) + kIndent;
    if (redis.password->find_first_of("\"\n\r") != std::string::npos) {
      comment(in,
              "the scripts' Redis password cannot be written in quotes: put it in a file "
              "and name it with password_file");
      return;
    }
    comment(in, "the password (and user) the scripts' redis-cli calls use");
    if (redis.user) out_ << in << "user \"" << *redis.user << "\"\n";
    out_ << in << "password \"" << *redis.password << "\"\n";
  }

  void vrrp_instance(const Statement& st) {
    out_ << "vrrp_instance " << (st.args.empty() ? "" : token_text(st.args[0])) << " {\n";
    RedisBlock redis;
    // An IPv6 instance's adverts come from link-local addresses unless unicast_src_ip names
    // a global one: where the other nodes' Redis listen then needs peer_address.
    bool ipv6 = false, global_unicast_source = false, unicast_peers = false;
    for (const Statement& inner : st.block) {
      const std::string& kw = inner.keyword.text;
      if (kw == "virtual_ipaddress" && !inner.block.empty() && !ipv6)
        ipv6 = inner.block.front().keyword.text.find(':') != std::string::npos;
      if ((kw == "unicast_src_ip" || kw == "mcast_src_ip") && !inner.args.empty()) {
        const auto a = net::IpAddress::parse(inner.args[0].text);
        global_unicast_source = a && !a->is_v4() && !a->is_link_local();
      }
      if (kw == "unicast_peer" && !inner.block.empty()) unicast_peers = true;
    }
    for (const Statement& inner : st.block) {
      const std::string& kw = inner.keyword.text;
      if (kw == "track_script") {
        track_script(inner, redis);
      } else if (kw == "notify" || kw.rfind("notify_", 0) == 0) {
        if (find_keyword(BlockKind::vrrp_instance, kw)) {
          notify(inner, redis);
        } else {
          comment(kIndent,
                  "not carried over: " + describe_unsupported(BlockKind::vrrp_instance, inner));
        }
      } else if (kw == "mcast_src_ip") {
        comment(kIndent, "mcast_src_ip is unicast_src_ip in redkeep (the adverts' source)");
        out_ << kIndent << "unicast_src_ip";
        for (const Token& a : inner.args) out_ << " " << token_text(a);
        out_ << "\n";
      } else if (kw == "preempt" && !inner.has_block && inner.args.empty()) {
        comment(kIndent, "preempt dropped: preemption is the default");
      } else if (find_keyword(BlockKind::vrrp_instance, kw)) {
        emit(kIndent, inner);
      } else {
        comment(kIndent,
                "not carried over: " + describe_unsupported(BlockKind::vrrp_instance, inner));
      }
    }
    if (redis.wanted) {
      comment(kIndent,
              "redkeep health-checks this Redis and switches its role (REPLICAOF) "
              "itself, in place of the check and notify scripts");
      out_ << kIndent << "redis {\n";
      out_ << kIndent << kIndent << "port " << redis.port.value_or(6379) << "\n";
      if (redis.password) credentials(redis);
      for (const auto& s : redis.settings) out_ << kIndent << kIndent << s << "\n";
      if (ipv6 && !(global_unicast_source && unicast_peers)) {
        comment(std::string(kIndent) + kIndent,
                "an IPv6 instance: its adverts come from link-local addresses, which REPLICAOF "
                "cannot use. List every node here as `peer_address ADVERT_SOURCE "
                "REDIS_ADDRESS` (its link-local address on the interface, then the address its "
                "Redis listens on); `check` refuses the file until then");
      }
      out_ << kIndent << "}\n";
    } else {
      comment(kIndent,
              "no script of this instance checks or switches Redis: no redis block "
              "(plain VRRP); add one to let redkeep manage a Redis");
    }
    out_ << "}\n";
  }

  const std::string& file_;
  const ReadFile& read_;
  std::ostringstream out_;
  std::map<std::string, VrrpScriptInfo> scripts_;
  std::vector<std::string> script_user_;  // global_defs script_user USER [GROUP], unless root
};

}  // namespace

MigrateResult migrate(std::string_view text, const std::string& file_name, const ReadFile& read) {
  MigrateResult result;
  LexResult lexed = lex(text, file_name);
  result.diagnostics = lexed.diagnostics;
  SyntaxResult syntax = parse_syntax(lexed.tokens, file_name);
  result.diagnostics.insert(result.diagnostics.end(), syntax.diagnostics.begin(),
                            syntax.diagnostics.end());
  result.text = Migrator(file_name, read).run(syntax.statements);
  return result;
}

}  // namespace redkeep::config
