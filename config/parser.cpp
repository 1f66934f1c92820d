#include "config/parser.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "config/builder.hpp"
#include "config/lexer.hpp"
#include "config/script_checks.hpp"
#include "config/syntax.hpp"
#include "config/validate.hpp"

namespace redkeep::config {
namespace {

constexpr std::size_t kMaxFileBytes = 1 << 20;

Diagnostic file_error(const std::string& file, std::string message) {
  return {Diagnostic::Severity::error, file, 0, 0, std::move(message)};
}

// Belt and braces: whatever stage quoted a token, a secret never leaves quoted.
void scrub(std::vector<Diagnostic>& diagnostics, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;
    const std::string quoted = "'" + secret + "'";
    for (Diagnostic& d : diagnostics) {
      for (auto pos = d.message.find(quoted); pos != std::string::npos;
           pos = d.message.find(quoted, pos + 5)) {
        d.message.replace(pos, quoted.size(), "'***'");
      }
    }
  }
}

struct Parsed {
  LoadResult result;
  Where first_secret;
};

Parsed parse(std::string_view text, const std::string& file_name,
             const ScriptEnvironment* system = nullptr) {
  Parsed out;
  LoadResult& result = out.result;
  LexResult lexed = lex(text, file_name);
  result.diagnostics = std::move(lexed.diagnostics);
  if (lexed.tokens.empty() && result.diagnostics.empty()) {
    result.diagnostics.push_back(file_error(file_name, "empty file: no configuration in it"));
    return out;
  }
  SyntaxResult syntax = parse_syntax(lexed.tokens, file_name);
  result.diagnostics.insert(result.diagnostics.end(), syntax.diagnostics.begin(),
                            syntax.diagnostics.end());
  BuildResult built = build_config(syntax.statements, file_name);
  out.first_secret = built.first_secret;
  if (syntax.unclosed_from) {
    // Past an unclosed '{' the block structure is a guess: report nothing from there on.
    const auto [line, column] = *syntax.unclosed_from;
    for (Diagnostic& d : built.diagnostics) {
      if (d.line < line || (d.line == line && d.column < column)) {
        result.diagnostics.push_back(std::move(d));
      }
    }
  } else {
    result.diagnostics.insert(result.diagnostics.end(), built.diagnostics.begin(),
                              built.diagnostics.end());
    validate(built.config, built.source, file_name, result.diagnostics);
    if (system) check_scripts(built.config, built.source, file_name, *system, result.diagnostics);
  }
  scrub(result.diagnostics, built.secrets);
  std::stable_sort(result.diagnostics.begin(), result.diagnostics.end(),
                   [](const Diagnostic& a, const Diagnostic& b) {
                     const int la = a.line ? a.line : 1 << 30, lb = b.line ? b.line : 1 << 30;
                     return la != lb ? la < lb : a.column < b.column;
                   });
  const bool any_error = std::any_of(result.diagnostics.begin(), result.diagnostics.end(),
                                     [](const Diagnostic& d) { return d.is_error(); });
  if (!any_error) result.config = std::move(built.config);
  return out;
}

}  // namespace

bool LoadResult::ok() const {
  return config.has_value() &&
         std::none_of(diagnostics.begin(), diagnostics.end(),
                      [](const Diagnostic& d) { return d.is_error(); });
}

LoadResult parse_text(std::string_view text, const std::string& file_name) {
  return parse(text, file_name).result;
}

LoadResult check_text(std::string_view text, const std::string& file_name) {
  const ScriptEnvironment system = system_environment();
  return parse(text, file_name, &system).result;
}

LoadResult load_file(const std::string& path) {
  LoadResult failed;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    failed.diagnostics.push_back(file_error(path, std::string("cannot open: ") +
                                                      std::strerror(errno)));
    return failed;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    failed.diagnostics.push_back(file_error(path, std::string("cannot read: ") +
                                                      std::strerror(errno)));
    ::close(fd);
    return failed;
  }
  if (!S_ISREG(st.st_mode)) {
    failed.diagnostics.push_back(file_error(
        path, S_ISDIR(st.st_mode) ? "cannot read: is a directory, not a configuration file"
                                  : "cannot read: not a regular file"));
    ::close(fd);
    return failed;
  }
  std::string text;
  char buffer[8192];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      failed.diagnostics.push_back(file_error(path, std::string("cannot read: ") +
                                                        std::strerror(errno)));
      ::close(fd);
      return failed;
    }
    if (n == 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
    if (text.size() > kMaxFileBytes) {
      failed.diagnostics.push_back(file_error(path, "file is larger than 1 MiB"));
      ::close(fd);
      return failed;
    }
  }
  ::close(fd);

  const ScriptEnvironment system = system_environment();
  Parsed parsed = parse(text, path, &system);
  if ((st.st_mode & S_IROTH) && parsed.first_secret.present()) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    auto& diags = parsed.result.diagnostics;
    Diagnostic warning{Diagnostic::Severity::warning, path, parsed.first_secret.line,
                       parsed.first_secret.column,
                       std::string("this file holds a password and is readable by all users "
                                   "(mode ") + mode + "); restrict it, e.g. chmod 600 " + path};
    auto pos = std::find_if(diags.begin(), diags.end(), [&](const Diagnostic& d) {
      return d.line == 0 || d.line > warning.line ||
             (d.line == warning.line && d.column > warning.column);
    });
    diags.insert(pos, std::move(warning));
  }
  return std::move(parsed.result);
}

}  // namespace redkeep::config
