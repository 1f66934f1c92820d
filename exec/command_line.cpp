#include "exec/command_line.hpp"

#include <cstring>
#include <optional>

namespace redkeep::exec {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }

/// Characters that make a shell do something other than pass a word on, outside quotes.
bool is_operator(char c) { return std::strchr("|&;<>()\n", c) != nullptr; }

bool is_glob(char c) { return c == '*' || c == '?' || c == '['; }

/// `NAME=` at the start of the first word: a variable assignment for the command.
bool starts_with_assignment(std::string_view word) {
  const auto eq = word.find('=');
  if (eq == 0 || eq == std::string_view::npos) return false;
  for (std::size_t i = 0; i < eq; ++i) {
    const char c = word[i];
    const bool ok = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

/// The words of `line`, or nullopt when it needs a shell.
std::optional<std::vector<std::string>> split(std::string_view line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  std::size_t i = 0;
  while (i < line.size()) {
    const char c = line[i];
    if (is_blank(c)) {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
      ++i;
      continue;
    }
    if (is_operator(c) || c == '$' || c == '`' || is_glob(c)) return std::nullopt;
    if (!in_word && (c == '~' || c == '#')) return std::nullopt;
    in_word = true;
    if (c == '\'') {
      const auto end = line.find('\'', i + 1);
      if (end == std::string_view::npos) return std::nullopt;
      word.append(line.substr(i + 1, end - i - 1));
      i = end + 1;
    } else if (c == '"') {
      ++i;
      for (;;) {
        if (i >= line.size()) return std::nullopt;
        const char d = line[i];
        if (d == '"') break;
        if (d == '$' || d == '`') return std::nullopt;
        if (d == '\\' && i + 1 < line.size() && std::strchr("\"\\$`\n", line[i + 1])) {
          word += line[i + 1];
          i += 2;
          continue;
        }
        word += d;
        ++i;
      }
      ++i;
    } else if (c == '\\') {
      if (i + 1 >= line.size()) return std::nullopt;
      word += line[i + 1];
      i += 2;
    } else {
      word += c;
      ++i;
    }
  }
  if (in_word) words.push_back(std::move(word));
  // As written, not unquoted: 'FOO=1' is a word, FOO=1 an assignment.
  const auto start = line.find_first_not_of(" \t");
  if (starts_with_assignment(line.substr(start, line.find_first_of(" \t", start) - start)))
    return std::nullopt;
  return words;
}

}  // namespace

CommandLine parse_command_line(std::string_view line, const std::vector<std::string>& extra) {
  CommandLine out;
  if (line.find_first_not_of(" \t") == std::string_view::npos) return out;
  if (auto words = split(line)) {
    out.argv = std::move(*words);
    out.argv.insert(out.argv.end(), extra.begin(), extra.end());
    return out;
  }
  out.shell = true;
  std::string script(line);
  if (!extra.empty()) script += " \"$@\"";
  out.argv = {"/bin/sh", "-c", std::move(script), "sh"};
  out.argv.insert(out.argv.end(), extra.begin(), extra.end());
  return out;
}

}  // namespace redkeep::exec
