#include "config/keepalived_script.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <vector>

namespace redkeep::config {

namespace {

constexpr int kMaxDepth = 8;

bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string basename(const std::string& p) {
  const auto slash = p.rfind('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

std::string dirname(const std::string& p) {
  const auto slash = p.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : p.substr(0, slash);
}

/// Replaces every `from` in `s` by `to`.
void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
}

/// What one reading of a script (and the files it sources) found.
struct Reading {
  const ReadFile& read;
  std::map<std::string, std::string> vars;
  bool asks = false, switches = false;
  std::string first_check, first_switch;  // the first redis-cli calls of each kind
  std::optional<int> port;
  bool ports_differ = false;
  std::optional<std::string> password, user;  // the redis-cli calls' credentials
  std::string other;  // why it is `other`, when it is

  void not_ours(std::string why) {
    if (other.empty()) other = std::move(why);
  }

  /// $NAME and ${NAME} replaced by their values (unknown names by nothing, as the shell does).
  std::string expand(const std::string& s) const {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] != '$' || i + 1 >= s.size()) {
        out += s[i];
        continue;
      }
      std::size_t start = i + 1, end = start;
      const bool braced = s[start] == '{';
      if (braced) {
        end = s.find('}', start);
        if (end == std::string::npos) return out + s.substr(i);
        const auto name = s.substr(start + 1, end - start - 1);
        const auto it = vars.find(name);
        if (it != vars.end()) out += it->second;
        i = end;
        continue;
      }
      while (end < s.size() && is_name_char(s[end])) ++end;
      if (end == start) {
        out += s[i];
        continue;
      }
      const auto it = vars.find(s.substr(start, end - start));
      if (it != vars.end()) out += it->second;
      i = end - 1;
    }
    return out;
  }

  /// Splits `line` into words, quotes removed (the shell's quoting, roughly).
  static std::vector<std::string> words(const std::string& line) {
    std::vector<std::string> out;
    std::string word;
    bool any = false;
    char quote = 0;
    for (char c : line) {
      if (quote != 0) {
        if (c == quote)
          quote = 0;
        else
          word += c;
      } else if (c == '\'' || c == '"') {
        quote = c;
        any = true;
      } else if (std::isspace(static_cast<unsigned char>(c))) {
        if (any || !word.empty()) out.push_back(word);
        word.clear();
        any = false;
      } else {
        word += c;
      }
    }
    if (any || !word.empty()) out.push_back(word);
    return out;
  }

  /// Takes the command substitutions ($(...) and `...`) out of `line`, reading each as a
  /// command of its own; returns the line with each replaced by a placeholder word.
  std::string substitutions(const std::string& line, const std::string& path, int depth) {
    std::string out;
    for (std::size_t i = 0; i < line.size(); ++i) {
      if (line[i] == '$' && i + 1 < line.size() && line[i + 1] == '(') {
        int open = 1;
        std::size_t j = i + 2;
        for (; j < line.size() && open > 0; ++j)
          open += line[j] == '(' ? 1 : line[j] == ')' ? -1 : 0;
        if (open != 0) {
          not_ours("an unbalanced $( in: " + line);
          return out;
        }
        script_line(line.substr(i + 2, j - i - 3), path, depth);
        out += "__output__";
        i = j - 1;
      } else if (line[i] == '`') {
        const auto j = line.find('`', i + 1);
        if (j == std::string::npos) {
          not_ours("an unbalanced ` in: " + line);
          return out;
        }
        script_line(line.substr(i + 1, j - i - 1), path, depth);
        out += "__output__";
        i = j;
      } else {
        out += line[i];
      }
    }
    return out;
  }

  /// One simple command (no ; && || |), already free of substitutions.
  void command(std::vector<std::string> w, const std::string& path, int depth) {
    static const char* const kKeywords[] = {"if",   "then",  "else",  "elif", "fi", "do",
                                            "done", "while", "until", "!",    "{",  "}"};
    while (!w.empty() &&
           std::find(std::begin(kKeywords), std::end(kKeywords), w.front()) != std::end(kKeywords))
      w.erase(w.begin());
    // Redirections and their targets go.
    std::vector<std::string> kept;
    for (std::size_t i = 0; i < w.size(); ++i) {
      const auto& x = w[i];
      if (x == ">" || x == ">>" || x == "<" || x == "2>" || x == "&>" || x == "2>>") {
        ++i;
        continue;
      }
      if (x.find('>') != std::string::npos || (x.size() > 1 && x[0] == '<')) continue;
      kept.push_back(x);
    }
    if (kept.empty()) return;
    if (kept.size() == 1 && is_assignment(kept[0])) {
      const auto eq = kept[0].find('=');
      vars[kept[0].substr(0, eq)] = expand(kept[0].substr(eq + 1));
      return;
    }
    // NAME=value before a command: that command's environment (REDISCLI_AUTH for redis-cli).
    std::map<std::string, std::string> env;
    while (kept.size() > 1 && is_assignment(kept.front())) {
      const auto eq = kept.front().find('=');
      env[kept.front().substr(0, eq)] = expand(kept.front().substr(eq + 1));
      kept.erase(kept.begin());
    }
    for (auto& x : kept) x = expand(x);
    const auto program = basename(kept.front());
    if (program == "source" || program == ".") {
      if (kept.size() < 2) return;
      if (depth >= kMaxDepth)
        return not_ours("sources files more than " + std::to_string(kMaxDepth) + " levels deep");
      const auto text = read(kept[1]);
      if (!text) return not_ours("sources " + kept[1] + ", which cannot be read");
      script(*text, kept[1], depth + 1);
      return;
    }
    if (program == "export" || program == "local" || program == "readonly") {
      for (std::size_t i = 1; i < kept.size(); ++i) {
        if (!is_assignment(kept[i])) continue;
        const auto eq = kept[i].find('=');
        vars[kept[i].substr(0, eq)] = kept[i].substr(eq + 1);
      }
      return;
    }
    // Wrappers that run the rest of the line as a command: `timeout 1 redis-cli ping`.
    if (program == "timeout" || program == "exec" || program == "command" || program == "nice") {
      std::size_t i = 1;
      while (i < kept.size() && kept[i].size() > 1 && kept[i][0] == '-') {
        const bool takes_value = kept[i] == "-s" || kept[i] == "-k" || kept[i] == "-n";
        i += takes_value ? 2 : 1;
      }
      if (program == "timeout") ++i;  // the duration
      if (i >= kept.size()) return;
      command(std::vector<std::string>(kept.begin() + static_cast<long>(i), kept.end()), path,
              depth);
      return;
    }
    if (program == "eval") {
      kept.erase(kept.begin());
      std::string rest;
      for (const auto& x : kept) rest += x + " ";
      script_line(rest, path, depth);
      return;
    }
    static const char* const kHarmless[] = {
        "echo", "printf", "exit",   "return", "true", "false",  "test", "[",
        "[[",   "set",    "export", "local",  "date", "logger", ":",    "__output__"};
    if (std::find(std::begin(kHarmless), std::end(kHarmless), program) != std::end(kHarmless))
      return;
    if (program != "redis-cli") return not_ours("runs " + program);
    if (auto auth = env.find("REDISCLI_AUTH"); auth != env.end()) credential(password, auth->second);
    redis_cli(kept);
  }

  /// `NAME=value`: a variable assignment.
  static bool is_assignment(const std::string& w) {
    const auto eq = w.find('=');
    return eq != std::string::npos && eq > 0 &&
           std::all_of(w.begin(), w.begin() + static_cast<long>(eq), is_name_char);
  }

  /// The first credential seen (a later different one is not the one to carry over either).
  static void credential(std::optional<std::string>& slot, const std::string& value) {
    if (!slot && !value.empty()) slot = value;
  }

  /// `-u redis://[USER[:PASSWORD]@]HOST[:PORT][/DB]`: host and port into `host`/`port`, the
  /// credentials kept; returns the URL with them masked.
  std::string redis_url(const std::string& url, std::string& host, std::optional<int>& port) {
    const auto scheme = url.find("://");
    std::string rest = scheme == std::string::npos ? url : url.substr(scheme + 3);
    std::string shown = scheme == std::string::npos ? "" : url.substr(0, scheme + 3);
    if (const auto at = rest.rfind('@'); at != std::string::npos) {
      const std::string auth = rest.substr(0, at);
      const auto colon = auth.find(':');
      if (colon == std::string::npos) {
        credential(password, auth);
      } else {
        credential(user, auth.substr(0, colon));
        credential(password, auth.substr(colon + 1));
      }
      rest = rest.substr(at + 1);
      shown += "***@";
    }
    shown += rest;
    const std::string hostport = rest.substr(0, rest.find('/'));
    const auto colon = hostport.rfind(':');
    host = hostport.substr(0, colon);
    if (colon != std::string::npos) {
      try {
        port = std::stoi(hostport.substr(colon + 1));
      } catch (const std::exception&) {
      }
    }
    return shown;
  }

  void redis_cli(const std::vector<std::string>& w) {
    std::string host = "127.0.0.1", call = "redis-cli";
    std::optional<int> port;
    std::size_t i = 1;
    for (; i < w.size() && !w[i].empty() && w[i][0] == '-'; ++i) {
      const auto& o = w[i];
      const bool takes = o == "-h" || o == "-p" || o == "-a" || o == "-n" || o == "-s" ||
                         o == "--user" || o == "--pass" || o == "-u";
      if (takes && i + 1 < w.size()) {
        if (o == "-h") host = w[i + 1];
        if (o == "-p") {
          try {
            port = std::stoi(w[i + 1]);
          } catch (const std::exception&) {
          }
        }
        if (o == "-s") host = "unix:" + w[i + 1];
        if (o == "-a" || o == "--pass") credential(password, w[i + 1]);
        if (o == "--user") credential(user, w[i + 1]);
        std::string shown = w[i + 1];
        if (o == "-a" || o == "--pass") shown = "***";
        if (o == "-u") shown = redis_url(w[i + 1], host, port);
        call += " " + o + " " + shown;
        ++i;
      } else {
        call += " " + o;
      }
    }
    if (i >= w.size()) return not_ours("runs redis-cli without a command");
    const auto cmd = upper(w[i]);
    call += " " + cmd;
    for (std::size_t j = i + 1; j < w.size(); ++j) call += " " + w[j];
    const bool local =
        host == "127.0.0.1" || host == "localhost" || host == "::1" || host.rfind("unix:", 0) == 0;
    if (!local) return not_ours("runs " + call + " (a Redis on another host)");
    if (cmd == "PING" || cmd == "INFO" || cmd == "ROLE" || cmd == "ECHO") {
      asks = true;
      if (first_check.empty()) first_check = call;
    } else if (cmd == "SLAVEOF" || cmd == "REPLICAOF") {
      switches = true;
      if (first_switch.empty()) first_switch = call;
    } else {
      return not_ours("runs " + call);
    }
    if (port) {
      if (this->port && *this->port != *port) ports_differ = true;
      this->port = port;
    }
  }

  /// One line: its substitutions, then its simple commands.
  void script_line(const std::string& raw, const std::string& path, int depth) {
    std::string line = raw;
    const auto dir = dirname(path);
    for (const char* self : {"$(dirname $0)", "$(dirname \"$0\")", "`dirname $0`", "${0%/*}"})
      replace_all(line, self, dir);
    line = substitutions(line, path, depth);
    // Simple commands: split at ; && || | (outside quotes).
    std::string current;
    char quote = 0;
    for (std::size_t i = 0; i <= line.size(); ++i) {
      const char c = i < line.size() ? line[i] : ';';
      if (quote != 0) {
        current += c;
        if (c == quote) quote = 0;
        continue;
      }
      if (c == '\'' || c == '"') {
        quote = c;
        current += c;
      } else if (c == ';' || c == '|' || (c == '&' && i + 1 < line.size() && line[i + 1] == '&')) {
        if (c != ';' && i + 1 < line.size() && line[i + 1] == c) ++i;
        command(words(current), path, depth);
        current.clear();
      } else {
        current += c;
      }
    }
  }

  /// A whole script: comments out, continued lines joined.
  void script(const std::string& text, const std::string& path, int depth) {
    std::string logical;
    std::size_t start = 0;
    while (start <= text.size()) {
      auto end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      std::string line = text.substr(start, end - start);
      start = end + 1;
      // A comment: '#' at the start of a word, outside quotes.
      char quote = 0;
      for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quote != 0) {
          if (c == quote) quote = 0;
        } else if (c == '\'' || c == '"') {
          quote = c;
        } else if (c == '#' && (i == 0 || std::isspace(static_cast<unsigned char>(line[i - 1])))) {
          line.resize(i);
          break;
        }
      }
      if (!line.empty() && line.back() == '\\') {
        logical += line.substr(0, line.size() - 1) + " ";
        continue;
      }
      logical += line;
      script_line(logical, path, depth);
      logical.clear();
      if (end == text.size()) break;
    }
  }
};

}  // namespace

ScriptVerdict classify_script(std::string_view text, const std::string& path,
                              const ReadFile& read) {
  Reading r{read, {}, false, false, {}, {}, std::nullopt, false, {}, {}, {}};
  r.script(std::string(text), path, 0);
  ScriptVerdict v;
  if (!r.other.empty()) {
    v.reason = r.other;
  } else if (r.switches) {
    // A PING besides (the recipe's include file asks on every call) changes nothing.
    v.kind = ScriptKind::redis_role;
    v.reason = "runs " + r.first_switch;
  } else if (r.asks) {
    v.kind = ScriptKind::redis_check;
    v.reason = "runs " + r.first_check;
  } else {
    v.reason = "runs no Redis command";
  }
  if (!r.ports_differ) v.port = r.port;
  v.password = r.password;
  if (!v.password) {
    if (auto auth = r.vars.find("REDISCLI_AUTH"); auth != r.vars.end() && !auth->second.empty())
      v.password = auth->second;
  }
  v.user = r.user;
  return v;
}

const char* to_string(ScriptKind kind) {
  switch (kind) {
    case ScriptKind::redis_check:
      return "redis_check";
    case ScriptKind::redis_role:
      return "redis_role";
    case ScriptKind::other:
      return "other";
  }
  return "other";
}

}  // namespace redkeep::config
