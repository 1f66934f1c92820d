// vrrp_script, track_script and notify_* as the parser reads them (defaults, the track_script
// entry's weight, resolution by name), and check_scripts' rules about the scripts a
// configuration runs, against a fake system (config/script_checks.hpp).
#include <unistd.h>

#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "../../support/temp_dir.hpp"
#include "config/builder.hpp"
#include "config/lexer.hpp"
#include "config/parser.hpp"
#include "config/script_checks.hpp"
#include "config/syntax.hpp"
#include "config/validate.hpp"
#include "config_test_util.hpp"

using namespace std::chrono_literals;
using namespace redkeep::config;
using namespace redkeep::config::test;
using Severity = Diagnostic::Severity;

namespace {

/// `vrrp_script NAME { script LINE <extra> }` (extra lines indented by 4).
std::string script_block(const std::string& name, const std::string& line,
                         const std::string& extra = "") {
  return "vrrp_script " + name + " {\n    script " + line + "\n" + extra + "}\n";
}

/// instance()'s lines tracking `entries` (one `track_script` entry a line).
std::string tracking(const std::vector<std::string>& entries, const std::string& extra = "") {
  std::string block = "    track_script {\n";
  for (const auto& e : entries) block += "        " + e + "\n";
  return block + "    }\n" + extra;
}

const VrrpScript& only_script(const LoadResult& r) {
  REQUIRE(r.config);
  REQUIRE(r.config->scripts.size() == 1);
  return r.config->scripts[0];
}

/// A system as the checks see it: root or not, the users, groups and executables it has and
/// the text of its script files. Records what it was asked.
struct FakeSystem {
  bool root = true;
  std::set<std::string> users = {"redis", "nobody"};
  std::set<std::string> groups = {"redis", "nogroup"};
  std::set<std::string> executables = {"/usr/local/bin/chk", "/etc/redkeep/notify.sh",
                                       "/etc/redkeep/backup.sh", "redis-cli", "mail"};
  std::map<std::string, std::string> files;
  std::vector<std::string> asked_executable;

  ScriptEnvironment environment() {
    ScriptEnvironment env;
    env.root = root;
    env.user_exists = [this](const std::string& u) { return users.count(u) > 0; };
    env.group_exists = [this](const std::string& g) { return groups.count(g) > 0; };
    env.executable = [this](const std::string& p, const std::optional<std::string>&,
                            const std::optional<std::string>&) {
      asked_executable.push_back(p);
      return executables.count(p) > 0;
    };
    env.read = [this](const std::string& path) -> std::optional<std::string> {
      const auto it = files.find(path);
      if (it == files.end()) return std::nullopt;
      return it->second;
    };
    return env;
  }
};

/// The diagnostics check_scripts gives for `text` (which must parse without errors) on `system`.
std::vector<Diagnostic> check(const std::string& text, FakeSystem& system) {
  const LexResult lexed = lex(text, "t.conf");
  const SyntaxResult syntax = parse_syntax(lexed.tokens, "t.conf");
  BuildResult built = build_config(syntax.statements, "t.conf");
  std::vector<Diagnostic> parsed = lexed.diagnostics;
  parsed.insert(parsed.end(), syntax.diagnostics.begin(), syntax.diagnostics.end());
  parsed.insert(parsed.end(), built.diagnostics.begin(), built.diagnostics.end());
  validate(built.config, built.source, "t.conf", parsed);
  for (const Diagnostic& d : parsed) {
    INFO(d.to_string());
    REQUIRE_FALSE(d.is_error());
  }
  std::vector<Diagnostic> out;
  check_scripts(built.config, built.source, "t.conf", system.environment(), out);
  return out;
}

std::string all(const std::vector<Diagnostic>& diagnostics) {
  std::string out;
  for (const Diagnostic& d : diagnostics) out += d.to_string() + "\n";
  return out;
}

}  // namespace

// --- parsing --------------------------------------------------------------------------------

TEST_CASE("vrrp_script defaults: interval 1 s, timeout the interval, weight 0, rise 1, fall 1",
          "[config][scripts]") {
  const auto r = parse(script_block("chk", "/usr/local/bin/chk") + instance(tracking({"chk"})));
  INFO(all_diagnostics(r));
  REQUIRE(r.ok());
  const VrrpScript& s = only_script(r);
  CHECK(s.name == "chk");
  CHECK(s.script == "/usr/local/bin/chk");
  CHECK(s.interval == 1000ms);
  CHECK(s.timeout == 0ms);
  CHECK(s.effective_timeout() == 1000ms);
  CHECK(s.weight == 0);
  CHECK_FALSE(s.weight_reverse);
  CHECK(s.rise == 1);
  CHECK(s.fall == 1);
  CHECK_FALSE(s.init_fail);
  CHECK_FALSE(s.user);
  CHECK_FALSE(s.group);
  const auto& tracks = r.config->instances[0].track_script;
  REQUIRE(tracks.size() == 1);
  CHECK(tracks[0].script.name == "chk");
  CHECK(tracks[0].weight == 0);
  CHECK_FALSE(tracks[0].weight_reverse);
}

TEST_CASE("vrrp_script keywords: interval, timeout, weight reverse, rise, fall, init_fail, user",
          "[config][scripts]") {
  const auto r = parse(script_block("chk", "\"/usr/local/bin/chk --fast\"",
                                    "    interval 2\n"
                                    "    timeout 0.5\n"
                                    "    weight -20 reverse\n"
                                    "    rise 3\n"
                                    "    fall 2\n"
                                    "    init_fail\n"
                                    "    user redis redis\n") +
                       instance(tracking({"chk"})));
  INFO(all_diagnostics(r));
  REQUIRE(r.ok());
  const VrrpScript& s = only_script(r);
  CHECK(s.script == "/usr/local/bin/chk --fast");
  CHECK(s.interval == 2000ms);
  CHECK(s.timeout == 500ms);
  CHECK(s.effective_timeout() == 500ms);
  CHECK(s.weight == -20);
  CHECK(s.weight_reverse);
  CHECK(s.rise == 3);
  CHECK(s.fall == 2);
  CHECK(s.init_fail);
  CHECK(s.user == std::string("redis"));
  CHECK(s.group == std::string("redis"));
  // The entry without a weight takes the script's.
  const auto& t = r.config->instances[0].track_script.at(0);
  CHECK(t.weight == -20);
  CHECK(t.weight_reverse);
}

TEST_CASE("vrrp_script without timeout: a run may take the whole interval", "[config][scripts]") {
  const auto r = parse(script_block("chk", "/usr/local/bin/chk", "    interval 5\n") +
                       instance(tracking({"chk"})));
  REQUIRE(r.ok());
  CHECK(only_script(r).effective_timeout() == 5000ms);
}

TEST_CASE("track_script entries: a weight overrides the script's, reverse and noreverse its sign",
          "[config][scripts]") {
  const std::string scripts = script_block("inherits", "/bin/true", "    weight -20 reverse\n") +
                              script_block("noreverse", "/bin/true", "    weight -20 reverse\n") +
                              script_block("reversed", "/bin/true", "    weight 5\n") +
                              script_block("own", "/bin/true", "    weight 9\n");
  const auto r =
      parse(scripts + instance(tracking({"inherits weight 30", "noreverse weight 30 noreverse",
                                         "reversed weight -7 reverse", "own"})));
  INFO(all_diagnostics(r));
  REQUIRE(r.ok());
  const auto& t = r.config->instances[0].track_script;
  REQUIRE(t.size() == 4);
  CHECK(t[0].script.name == "inherits");
  CHECK(t[0].weight == 30);
  CHECK(t[0].weight_reverse);  // keepalived: the script's reverse unless the entry says
  CHECK(t[1].weight == 30);
  CHECK_FALSE(t[1].weight_reverse);
  CHECK(t[2].weight == -7);
  CHECK(t[2].weight_reverse);
  CHECK(t[3].weight == 9);
  CHECK_FALSE(t[3].weight_reverse);
  // The script itself keeps its own weight.
  CHECK(r.config->scripts[1].weight == -20);
  CHECK(r.config->scripts[1].weight_reverse);
}

TEST_CASE("a vrrp_script defined after the instance that tracks it is resolved",
          "[config][scripts]") {
  const auto r =
      parse(instance(tracking({"chk weight 10"})) + script_block("chk", "/usr/local/bin/chk"));
  INFO(all_diagnostics(r));
  REQUIRE(r.ok());
  CHECK(r.diagnostics.empty());
  const auto& t = r.config->instances[0].track_script;
  REQUIRE(t.size() == 1);
  CHECK(t[0].script.name == "chk");
  CHECK(t[0].script.script == "/usr/local/bin/chk");
  CHECK(t[0].weight == 10);
}

TEST_CASE("a vrrp_script that no instance tracks draws a warning at its keyword",
          "[config][scripts]") {
  const auto r = parse(script_block("chk_unused", "/usr/local/bin/chk") + instance());
  REQUIRE(r.ok());
  REQUIRE(r.diagnostics.size() == 1);
  const Diagnostic& d = r.diagnostics[0];
  CHECK(d.severity == Severity::warning);
  CHECK(d.line == 1);
  CHECK(d.column == 1);
  CHECK(d.message == "vrrp_script chk_unused is tracked by no vrrp_instance: it does not run");
}

TEST_CASE("notify_* lines: the command line, then optionally the user and group",
          "[config][scripts][notify]") {
  const auto r =
      parse(instance("    notify_master \"/etc/redkeep/notify.sh master\" redis redis\n"
                     "    notify_backup /etc/redkeep/backup.sh\n"
                     "    notify /etc/redkeep/notify.sh nobody\n"));
  INFO(all_diagnostics(r));
  REQUIRE(r.ok());
  const NotifyScripts& n = r.config->instances[0].notify;
  REQUIRE(n.master);
  CHECK(n.master->command == "/etc/redkeep/notify.sh master");
  CHECK(n.master->user == std::string("redis"));
  CHECK(n.master->group == std::string("redis"));
  REQUIRE(n.backup);
  CHECK(n.backup->command == "/etc/redkeep/backup.sh");
  CHECK_FALSE(n.backup->user);
  REQUIRE(n.any);
  CHECK(n.any->user == std::string("nobody"));
  CHECK_FALSE(n.any->group);
  CHECK_FALSE(n.fault);
  CHECK_FALSE(n.stop);
}

// --- check_scripts --------------------------------------------------------------------------

TEST_CASE("check_scripts: scripts that can run as configured draw nothing",
          "[config][scripts][check]") {
  FakeSystem system;
  const auto out = check(script_block("chk", "/usr/local/bin/chk", "    user redis redis\n") +
                             instance(tracking({"chk"}, "    notify /etc/redkeep/notify.sh\n")),
                         system);
  CHECK(all(out).empty());
}

TEST_CASE("check_scripts: `user` while redkeep does not run as root is an error at the user line",
          "[config][scripts][check]") {
  FakeSystem system;
  system.root = false;
  //  1 vrrp_script chk {
  //  2     script /usr/local/bin/chk
  //  3     user redis
  const auto out = check(
      script_block("chk", "/usr/local/bin/chk", "    user redis\n") + instance(tracking({"chk"})),
      system);
  INFO(all(out));
  REQUIRE(out.size() == 1);
  CHECK(out[0].severity == Severity::error);
  CHECK(out[0].file == "t.conf");
  CHECK(out[0].line == 3);
  CHECK(out[0].column == 5);
  CHECK(out[0].message.find("vrrp_script chk: `user redis` needs redkeep to run as root") == 0);
}

TEST_CASE("check_scripts: a notify line with a user while not root is an error at its line",
          "[config][scripts][check]") {
  FakeSystem system;
  system.root = false;
  const auto out = check(instance("    notify_master /etc/redkeep/notify.sh redis\n"), system);
  INFO(all(out));
  REQUIRE(out.size() == 1);
  CHECK(out[0].severity == Severity::error);
  CHECK(out[0].line == 7);
  CHECK(out[0].message.find("notify_master of vrrp_instance A: `user redis` needs redkeep to run "
                            "as root") == 0);
}

TEST_CASE("check_scripts: a user or group the system does not have is an error",
          "[config][scripts][check]") {
  FakeSystem system;
  auto out = check(
      script_block("chk", "/usr/local/bin/chk", "    user ghost\n") + instance(tracking({"chk"})),
      system);
  INFO(all(out));
  REQUIRE(out.size() == 1);
  CHECK(out[0].severity == Severity::error);
  CHECK(out[0].line == 3);
  CHECK(out[0].message == "vrrp_script chk: no user named 'ghost'");

  out = check(script_block("chk", "/usr/local/bin/chk", "    user redis ghosts\n") +
                  instance(tracking({"chk"})),
              system);
  INFO(all(out));
  REQUIRE(out.size() == 1);
  CHECK(out[0].severity == Severity::error);
  CHECK(out[0].message == "vrrp_script chk: no group named 'ghosts'");
}

TEST_CASE("check_scripts: a program that is not executable is an error at the script line",
          "[config][scripts][check]") {
  FakeSystem system;
  auto out = check(
      script_block("chk", "/usr/local/bin/missing --fast") + instance(tracking({"chk"})), system);
  INFO(all(out));
  REQUIRE(out.size() == 1);
  CHECK(out[0].severity == Severity::error);
  CHECK(out[0].line == 2);
  CHECK(out[0].column == 5);
  CHECK(out[0].message ==
        "vrrp_script chk: '/usr/local/bin/missing' is not an executable file, "
        "or its #! interpreter is not (the script could never run)");
  // Only the program is looked up, not its arguments.
  CHECK(system.asked_executable == std::vector<std::string>{"/usr/local/bin/missing"});

  // A bare name is looked up in PATH, and the message says so.
  out = check(instance("    notify_fault \"pager --urgent\"\n"), system);
  INFO(all(out));
  REQUIRE(out.size() == 1);
  CHECK(out[0].severity == Severity::error);
  CHECK(out[0].line == 7);
  CHECK(out[0].message ==
        "notify_fault of vrrp_instance A: 'pager' is not an executable file in "
        "PATH, or its #! interpreter is not (the script could never run)");
}

TEST_CASE("check_scripts: a line that needs a shell is not checked for an executable",
          "[config][scripts][check]") {
  FakeSystem system;
  system.executables.clear();  // nothing would pass
  const auto out = check(
      script_block("chk", "\"missing-tool --probe | grep -q ok\"") + instance(tracking({"chk"})),
      system);
  CHECK(all(out).empty());
  CHECK(system.asked_executable.empty());
}

TEST_CASE("check_scripts: an untracked vrrp_script is not checked (it does not run)",
          "[config][scripts][check]") {
  FakeSystem system;
  system.root = false;
  const auto out =
      check(script_block("chk", "/usr/local/bin/missing", "    user ghost\n") + instance(), system);
  CHECK(all(out).empty());
}

TEST_CASE(
    "check_scripts: a notify script file that switches the local Redis's role draws a "
    "warning",
    "[config][scripts][check][notify]") {
  FakeSystem system;
  system.files["/etc/redkeep/backup.sh"] =
      "#!/bin/sh\nredis-cli -p 6379 slaveof 192.0.2.100 6379\n";
  const auto out = check(instance("    notify_backup /etc/redkeep/backup.sh\n"), system);
  INFO(all(out));
  REQUIRE(out.size() == 1);
  CHECK(out[0].severity == Severity::warning);
  CHECK(out[0].line == 7);
  CHECK(out[0].column == 5);
  CHECK(out[0].message.find("notify_backup of vrrp_instance A switches the local Redis's role") ==
        0);
}

TEST_CASE(
    "check_scripts: an inline notify line that switches the local Redis's role draws a "
    "warning",
    "[config][scripts][check][notify]") {
  FakeSystem system;
  const auto out =
      check(instance("    notify_master \"redis-cli -p 6379 slaveof no one\"\n"), system);
  INFO(all(out));
  REQUIRE(out.size() == 1);
  CHECK(out[0].severity == Severity::warning);
  CHECK(out[0].message.find("switches the local Redis's role") != std::string::npos);
}

TEST_CASE("check_scripts: a notify script that pages someone draws no warning",
          "[config][scripts][check][notify]") {
  FakeSystem system;
  system.files["/etc/redkeep/notify.sh"] = "#!/bin/sh\nmail -s \"$3\" ops < /dev/null\n";
  auto out = check(instance("    notify_master \"mail -s master ops\"\n"), system);
  CHECK(all(out).empty());
  out = check(instance("    notify /etc/redkeep/notify.sh\n"), system);
  CHECK(all(out).empty());
}

TEST_CASE("check_scripts: a role switch in a vrrp_script is not a notify script's race",
          "[config][scripts][check]") {
  FakeSystem system;
  const auto out = check(
      script_block("chk", "\"redis-cli -p 6379 slaveof no one\"") + instance(tracking({"chk"})),
      system);
  CHECK(all(out).empty());
}

TEST_CASE(
    "system_environment: a script is executable for the user it runs as, with its #! "
    "interpreter",
    "[config][scripts]") {
  redkeep::test::TempDir dir{"redkeep-config-test"};
  const auto env = system_environment();
  REQUIRE(geteuid() == 0);  // the unit tests run as root (README's test command)
  const auto owner_only = dir.write("owner_only.sh", "#!/bin/sh\nexit 0\n", 0700);
  const auto everyone = dir.write("everyone.sh", "#!/bin/sh\nexit 0\n", 0755);
  const auto no_interpreter = dir.write("broken.sh", "#!/nonexistent/interp\nexit 0\n", 0755);
  CHECK(env.executable(owner_only, std::nullopt, std::nullopt));
  CHECK_FALSE(env.executable(owner_only, std::string("nobody"), std::nullopt));
  CHECK(env.executable(everyone, std::string("nobody"), std::nullopt));
  CHECK_FALSE(env.executable(no_interpreter, std::nullopt, std::nullopt));
  CHECK(env.executable("true", std::nullopt, std::nullopt));            // found in PATH
  CHECK_FALSE(env.executable(dir.path(), std::nullopt, std::nullopt));  // a directory
}

TEST_CASE("check_scripts: an unquoted notify command line's argument read as a user says to quote",
          "[config][scripts][check]") {
  FakeSystem system;
  const auto out = check(instance("    notify_master /etc/redkeep/notify.sh hi\n"), system);
  INFO(all(out));
  REQUIRE(out.size() == 1);
  CHECK(out[0].message ==
        "notify_master of vrrp_instance A: no user named 'hi' (the words after a notify command "
        "line are USER [GROUP]: quote the whole command line when it has arguments)");
}
