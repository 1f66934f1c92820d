#include "config/script_checks.hpp"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <sstream>

#include "exec/child_process.hpp"
#include "exec/command_line.hpp"

namespace redkeep::config {
namespace {

using Severity = Diagnostic::Severity;

class Checker {
 public:
  Checker(const std::string& file, const ScriptEnvironment& env, std::vector<Diagnostic>& out)
      : file_(file), env_(env), out_(out) {}

  /// One script line (`what`: "vrrp_script chk", "notify_master of vrrp_instance A").
  void line(const std::string& what, const std::string& command,
            const std::optional<std::string>& user, const std::optional<std::string>& group,
            const Where& at, bool notify) {
    if (user) run_as(what, *user, group, at, notify);
    const auto parsed = exec::parse_command_line(command);
    if (parsed.argv.empty()) return;
    if (!parsed.shell && !env_.executable(parsed.argv[0], user, group)) {
      error(at, what + ": '" + parsed.argv[0] + "' is not an executable file" +
                    (parsed.argv[0].find('/') == std::string::npos ? " in PATH" : "") +
                    (user ? " for user " + *user : std::string()) +
                    ", or its #! interpreter is not (the script could never run)");
      return;
    }
    if (!notify) return;
    // The script's own text when the program is a script file, else the line itself (an
    // inline `redis-cli slaveof ...`).
    std::optional<std::string> text;
    std::string path = parsed.shell ? std::string() : parsed.argv[0];
    if (!path.empty()) text = env_.read(path);
    if (!text || text->rfind("#!", 0) != 0) {
      text = command;
      path.clear();
    }
    const auto verdict = classify_script(*text, path, env_.read);
    if (verdict.kind == ScriptKind::redis_role)
      warning(at, what + " switches the local Redis's role (" + verdict.reason +
                      "): redkeep does that itself, and the two would race; remove it");
  }

 private:
  void run_as(const std::string& what, const std::string& user,
              const std::optional<std::string>& group, const Where& at, bool notify) {
    // notify_master /bin/echo hi: `hi` is read as the user (keepalived's syntax).
    const std::string hint =
        notify ? " (the words after a notify command line are USER [GROUP]: quote the whole "
                 "command line when it has arguments)"
               : "";
    if (!env_.root) {
      error(at, what + ": `user " + user +
                    "` needs redkeep to run as root (it cannot switch users otherwise); remove "
                    "it to run the script as redkeep's own user" +
                    hint);
      return;
    }
    if (!env_.user_exists(user)) error(at, what + ": no user named '" + user + "'" + hint);
    if (group && !env_.group_exists(*group))
      error(at, what + ": no group named '" + *group + "'" + hint);
  }

  void error(const Where& w, std::string m) {
    out_.push_back({Severity::error, file_, w.line, w.column, std::move(m)});
  }
  void warning(const Where& w, std::string m) {
    out_.push_back({Severity::warning, file_, w.line, w.column, std::move(m)});
  }

  const std::string& file_;
  const ScriptEnvironment& env_;
  std::vector<Diagnostic>& out_;
};

/// Whether the file at `path` is a regular file `as` may execute (redkeep's own user: access()).
bool is_executable_file(const std::string& path, const std::optional<exec::RunAs>& as) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  if (!as) return ::access(path.c_str(), X_OK) == 0;
  if (as->uid == 0) return (st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH)) != 0;
  if (st.st_uid == as->uid) return (st.st_mode & S_IXUSR) != 0;
  const bool in_group = st.st_gid == as->gid || std::find(as->groups.begin(), as->groups.end(),
                                                          st.st_gid) != as->groups.end();
  return (st.st_mode & (in_group ? S_IXGRP : S_IXOTH)) != 0;
}

/// `program` as exec finds it: itself when it has a '/', else its first hit in PATH.
std::optional<std::string> find_program(const std::string& program) {
  if (program.find('/') != std::string::npos) return program;
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/local/bin:/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const std::string candidate = dir + "/" + program;
    struct stat st {};
    if (!dir.empty() && ::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode))
      return candidate;
  }
  return std::nullopt;
}

/// The interpreter a `#!` line names ("/bin/sh"), if the file starts with one.
std::optional<std::string> interpreter_of(const std::string& path) {
  const auto text = read_regular_file(path);
  if (!text || text->rfind("#!", 0) != 0) return std::nullopt;
  const auto line = text->substr(2, text->find('\n') - 2);
  const auto start = line.find_first_not_of(" \t");
  if (start == std::string::npos) return std::nullopt;
  return line.substr(start, line.find_first_of(" \t", start) - start);
}

}  // namespace

ScriptEnvironment system_environment() {
  ScriptEnvironment env;
  env.root = ::geteuid() == 0;
  env.user_exists = [](const std::string& user) { return ::getpwnam(user.c_str()) != nullptr; };
  env.group_exists = [](const std::string& group) { return ::getgrnam(group.c_str()) != nullptr; };
  env.executable = [](const std::string& program, const std::optional<std::string>& user,
                      const std::optional<std::string>& group) {
    std::optional<exec::RunAs> as;
    if (user) {
      std::string error;
      as = exec::resolve_run_as(*user, group, error);
      if (!as) return true;  // reported as an unknown user or group
    }
    const auto path = find_program(program);
    if (!path || !is_executable_file(*path, as)) return false;
    const auto interpreter = interpreter_of(*path);
    return !interpreter || is_executable_file(*interpreter, as);
  };
  env.read = read_regular_file;
  return env;
}

std::optional<std::string> read_regular_file(const std::string& path) {
  constexpr std::size_t kMax = 1 << 20;
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return std::nullopt;
  struct stat st {};
  std::optional<std::string> text;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    text.emplace();
    char buffer[8192];
    for (;;) {
      const ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        text.reset();
        break;
      }
      if (n == 0) break;
      text->append(buffer, static_cast<std::size_t>(n));
      if (text->size() >= kMax) {
        text->resize(kMax);
        break;
      }
    }
  }
  ::close(fd);
  return text;
}

void check_scripts(const Config& config, const SourceMap& source, const std::string& file_name,
                   const ScriptEnvironment& env, std::vector<Diagnostic>& diagnostics) {
  Checker check(file_name, env, diagnostics);
  for (std::size_t i = 0; i < config.scripts.size(); ++i) {
    const VrrpScript& s = config.scripts[i];
    bool tracked = false;
    for (const auto& inst : config.instances)
      for (const auto& t : inst.track_script) tracked = tracked || t.script.name == s.name;
    if (!tracked) continue;  // it does not run (validate warns)
    const ScriptSource& src = source.scripts[i];
    check.line("vrrp_script " + s.name, s.script, s.user, s.group, s.user ? src.user : src.script,
               /*notify=*/false);
  }
  for (std::size_t i = 0; i < config.instances.size(); ++i) {
    const VrrpInstance& inst = config.instances[i];
    const InstanceSource& src = source.instances[i];
    const std::tuple<const char*, const std::optional<NotifyScript>*, Where> notifies[] = {
        {"notify_master", &inst.notify.master, src.notify_master},
        {"notify_backup", &inst.notify.backup, src.notify_backup},
        {"notify_fault", &inst.notify.fault, src.notify_fault},
        {"notify_stop", &inst.notify.stop, src.notify_stop},
        {"notify", &inst.notify.any, src.notify}};
    for (const auto& [keyword, script, at] : notifies) {
      if (!*script) continue;
      check.line(std::string(keyword) + " of vrrp_instance " + inst.name, (*script)->command,
                 (*script)->user, (*script)->group, at, /*notify=*/true);
    }
  }
}

}  // namespace redkeep::config
