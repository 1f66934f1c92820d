// Scripts run as real processes (exec/child_process.hpp): how each run ends, the timeout and
// the stop flag killing the whole process group, and what the child gets (no capability of
// redkeep's, /dev/null as stdio, no descriptor of the daemon, default signals, another user).
// These tests run /bin/sh and coreutils; the capability and user tests need root.
#include "exec/child_process.hpp"

#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "../../support/temp_dir.hpp"
#include "exec/command_line.hpp"

using namespace std::chrono_literals;
using redkeep::exec::resolve_run_as;
using redkeep::exec::run_script;
using redkeep::exec::RunAs;
using redkeep::exec::RunResult;
using Outcome = RunResult::Outcome;
using Clock = std::chrono::steady_clock;

using redkeep::test::TempDir;

namespace {

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

RunResult run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout = 10s,
              const std::optional<RunAs>& as = std::nullopt) {
  static const std::atomic<bool> never{false};
  return run_script(argv, as, timeout, never);
}

/// Runs `script` under /bin/sh -c.
RunResult sh(const std::string& script, std::chrono::milliseconds timeout = 10s,
             const std::optional<RunAs>& as = std::nullopt) {
  return run({"/bin/sh", "-c", script}, timeout, as);
}

/// The state letter of /proc/PID/stat ('R', 'S', 'Z', ...), or nullopt when there is no such
/// process.
std::optional<char> process_state(pid_t pid) {
  const auto stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return std::nullopt;
  const auto paren = stat->rfind(')');
  if (paren == std::string::npos || paren + 2 >= stat->size()) return std::nullopt;
  return (*stat)[paren + 2];
}

/// True once `pid` is gone (ESRCH) or a zombie (killed, not reaped by its new parent yet),
/// polled until `deadline`.
bool dies_by(pid_t pid, Clock::time_point deadline) {
  for (;;) {
    if (kill(pid, 0) != 0 && errno == ESRCH) return true;
    if (process_state(pid) == 'Z') return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
}

/// The value of `field` ("CapEff") in a /proc/PID/status text.
std::uint64_t cap_field(const std::string& status, const std::string& field) {
  std::istringstream in(status);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(field + ":", 0) == 0)
      return std::stoull(line.substr(field.size() + 1), nullptr, 16);
  }
  FAIL("no " << field << " in:\n" << status);
  return 0;
}

constexpr std::uint64_t bit(int cap) { return std::uint64_t{1} << cap; }

}  // namespace

TEST_CASE("run_script: exit status 0 is a success", "[exec][child_process]") {
  const auto r = run({"/bin/true"});
  CHECK(r.outcome == Outcome::exited);
  CHECK(r.status == 0);
  CHECK(r.success());
  CHECK(r.describe() == "exited with status 0");
}

TEST_CASE("run_script: a non-zero exit status is reported and is no success",
          "[exec][child_process]") {
  const auto r = sh("exit 3");
  CHECK(r.outcome == Outcome::exited);
  CHECK(r.status == 3);
  CHECK_FALSE(r.success());
  CHECK(r.describe() == "exited with status 3");
}

TEST_CASE("run_script: a program in PATH is found by its name", "[exec][child_process]") {
  auto r = run({"true"});
  CHECK(r.outcome == Outcome::exited);
  CHECK(r.success());
  r = run({"false"});
  CHECK(r.outcome == Outcome::exited);
  CHECK(r.status == 1);
}

TEST_CASE("run_script: a script killed by a signal reports the signal", "[exec][child_process]") {
  const auto r = sh("kill -9 $$");
  CHECK(r.outcome == Outcome::signaled);
  CHECK(r.status == SIGKILL);
  CHECK_FALSE(r.success());
  CHECK(r.describe().rfind("killed by signal 9 (", 0) == 0);
}

TEST_CASE("run_script: a program that does not exist could not start, with the exec error",
          "[exec][child_process]") {
  auto r = run({"/nonexistent/redkeep-no-such-program", "arg"});
  CHECK(r.outcome == Outcome::no_start);
  CHECK_FALSE(r.success());
  CHECK(r.detail == "exec /nonexistent/redkeep-no-such-program: No such file or directory");
  CHECK(r.describe() ==
        "could not start: exec /nonexistent/redkeep-no-such-program: No such file or directory");
  // Looked up in PATH, found nowhere.
  r = run({"redkeep-no-such-program-in-path"});
  CHECK(r.outcome == Outcome::no_start);
  CHECK(r.detail == "exec redkeep-no-such-program-in-path: No such file or directory");
}

TEST_CASE("run_script: a file without execute permission could not start",
          "[exec][child_process]") {
  TempDir dir{"redkeep-exec-test"};
  const std::string path = dir.file("not-executable.sh");
  std::ofstream(path) << "#!/bin/sh\nexit 0\n";
  REQUIRE(chmod(path.c_str(), 0644) == 0);
  const auto r = run({path});
  CHECK(r.outcome == Outcome::no_start);
  CHECK(r.detail == "exec " + path + ": Permission denied");
}

TEST_CASE("run_script: an empty command line could not start", "[exec][child_process]") {
  const auto r = run({});
  CHECK(r.outcome == Outcome::no_start);
  CHECK(r.detail == "empty command line");
}

TEST_CASE("run_script: a script still running at its timeout is killed and timed_out",
          "[exec][child_process]") {
  const auto started = Clock::now();
  const auto r = run({"/bin/sleep", "30"}, 300ms);
  const auto took = Clock::now() - started;
  CHECK(r.outcome == Outcome::timed_out);
  CHECK_FALSE(r.success());
  CHECK(took >= 300ms);
  CHECK(took < 300ms + 2s);
  CHECK(r.took >= 300ms);
  CHECK(r.describe() == "timed out after " + std::to_string(r.took.count()) +
                            " ms (killed with its process group)");
}

TEST_CASE("run_script: a timed-out script is killed with the processes it started",
          "[exec][child_process]") {
  TempDir dir{"redkeep-exec-test"};
  const std::string pid_file = dir.file("pid");
  // sh starts a background sleep (same process group), writes its pid and waits for it.
  RunResult r;
  std::thread runner([&] {
    r = sh("sleep 30 & echo $! > " + pid_file + ".tmp && mv " + pid_file + ".tmp " + pid_file +
               " && wait",
           1500ms);
  });
  // While the script runs, its background sleep is alive.
  std::optional<pid_t> pid;
  for (const auto deadline = Clock::now() + 1400ms; !pid && Clock::now() < deadline;) {
    if (const auto text = read_file(pid_file); text && !text->empty()) {
      pid = static_cast<pid_t>(std::stol(*text));
    } else {
      std::this_thread::sleep_for(10ms);
    }
  }
  const auto comm = pid ? read_file("/proc/" + std::to_string(*pid) + "/comm") : std::nullopt;
  runner.join();
  REQUIRE(pid);
  CHECK(comm.value_or("<gone>") == "sleep\n");
  CHECK(r.outcome == Outcome::timed_out);
  const bool died = dies_by(*pid, Clock::now() + 3s);
  if (!died) kill(*pid, SIGKILL);  // do not leave it behind
  CHECK(died);
}

TEST_CASE("run_script: the stop flag kills a running script at once", "[exec][child_process]") {
  std::atomic<bool> stop{false};
  std::thread stopper([&] {
    std::this_thread::sleep_for(200ms);
    stop = true;
  });
  const auto started = Clock::now();
  const auto r = run_script({"/bin/sleep", "30"}, std::nullopt, 20s, stop);
  const auto took = Clock::now() - started;
  stopper.join();
  CHECK(r.outcome == Outcome::stopped);
  CHECK_FALSE(r.success());
  CHECK(took >= 200ms);
  CHECK(took < 200ms + 1500ms);
  CHECK(r.describe() == "stopped (killed with its process group)");
}

TEST_CASE(
    "run_script: a root script has neither CAP_NET_ADMIN nor CAP_NET_RAW in any set, even when "
    "redkeep holds them in every set",
    "[exec][child_process][root]") {
  const auto own = read_file("/proc/self/status");
  REQUIRE(own);
  // The unit tests run as root (README's test command): a test that cannot run fails.
  REQUIRE(geteuid() == 0);
  REQUIRE((cap_field(*own, "CapEff") & (bit(CAP_NET_ADMIN) | bit(CAP_NET_RAW))) ==
          (bit(CAP_NET_ADMIN) | bit(CAP_NET_RAW)));
  TempDir dir{"redkeep-exec-test"};
  const std::string out = dir.file("caps");
  RunResult r;
  bool raised = false;
  // Capabilities belong to a thread: raise the two into the inheritable and ambient sets of a
  // thread of its own, which then runs the script (the child inherits that thread's sets).
  std::thread runner([&] {
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
    if (syscall(SYS_capget, &header, data) != 0) return;
    data[0].inheritable |= bit(CAP_NET_ADMIN) | bit(CAP_NET_RAW);
    if (syscall(SYS_capset, &header, data) != 0) return;
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_ADMIN, 0, 0) != 0) return;
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_RAW, 0, 0) != 0) return;
    raised = true;
    r = sh("grep -E '^Cap(Bnd|Inh|Amb|Eff|Prm)' /proc/self/status > " + out);
  });
  runner.join();
  REQUIRE(raised);
  REQUIRE(r.success());
  const auto status = read_file(out);
  REQUIRE(status);
  INFO(*status);
  for (const char* field : {"CapBnd", "CapInh", "CapAmb", "CapEff", "CapPrm"}) {
    INFO(field);
    const auto caps = cap_field(*status, field);
    CHECK((caps & bit(CAP_NET_ADMIN)) == 0);
    CHECK((caps & bit(CAP_NET_RAW)) == 0);
  }
  // Only those two: a root script keeps the rest (CAP_CHOWN, CAP_KILL).
  CHECK((cap_field(*status, "CapEff") & bit(CAP_CHOWN)) != 0);
  CHECK((cap_field(*status, "CapBnd") & bit(CAP_KILL)) != 0);
}

TEST_CASE("run_script: the script's standard input, output and error are /dev/null",
          "[exec][child_process]") {
  TempDir dir{"redkeep-exec-test"};
  const std::string out = dir.file("fds");
  // $(...) runs in a subshell whose $$ is still the script's shell, and that shell's own
  // descriptors 0, 1 and 2 are untouched while it waits for the substitution.
  const auto r =
      sh("a=$(readlink /proc/$$/fd/0) b=$(readlink /proc/$$/fd/1) "
         "c=$(readlink /proc/$$/fd/2)\n"
         "echo \"$a $b $c\" > " +
         out);
  REQUIRE(r.success());
  CHECK(read_file(out).value_or("<missing>") == "/dev/null /dev/null /dev/null\n");
}

TEST_CASE("run_script: no descriptor of the daemon reaches the script", "[exec][child_process]") {
  TempDir dir{"redkeep-exec-test"};
  const std::string out = dir.file("fds");
  // A descriptor without close-on-exec, as a careless open() in the daemon would leave one.
  constexpr int kLeaked = 100;
  REQUIRE(fcntl(kLeaked, F_GETFD) == -1);  // not in use
  const int fd = open("/dev/zero", O_RDONLY);
  REQUIRE(fd >= 0);
  REQUIRE(dup2(fd, kLeaked) == kLeaked);
  close(fd);
  REQUIRE((fcntl(kLeaked, F_GETFD) & FD_CLOEXEC) == 0);
  const auto r = sh("fds=$(ls /proc/$$/fd)\necho $fds > " + out);
  close(kLeaked);
  REQUIRE(r.success());
  const auto listing = read_file(out);
  REQUIRE(listing);
  INFO("the script's descriptors: " << *listing);
  std::set<int> fds;
  std::istringstream in(*listing);
  for (int n; in >> n;) fds.insert(n);
  CHECK(fds.count(0) == 1);
  CHECK(fds.count(1) == 1);
  CHECK(fds.count(2) == 1);
  CHECK(fds.count(kLeaked) == 0);
  // Besides 0, 1, 2 the shell holds at most the pipe of the substitution (both ends until it
  // has closed the write end after the fork: ls may look before).
  CHECK(*fds.rbegin() <= 4);
}

TEST_CASE("run_script: the script starts with default signal handling and no blocked signal",
          "[exec][child_process]") {
  // Ignored dispositions and the signal mask survive exec: the child must reset both.
  struct sigaction ignore {
  }, previous{};
  ignore.sa_handler = SIG_IGN;
  REQUIRE(sigaction(SIGUSR1, &ignore, &previous) == 0);
  sigset_t usr2, old_mask;
  sigemptyset(&usr2);
  sigaddset(&usr2, SIGUSR2);
  REQUIRE(pthread_sigmask(SIG_BLOCK, &usr2, &old_mask) == 0);
  const auto ignored = sh("kill -USR1 $$\nexit 0");
  const auto blocked = sh("kill -USR2 $$\nexit 0");
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  sigaction(SIGUSR1, &previous, nullptr);
  CHECK(ignored.outcome == Outcome::signaled);
  CHECK(ignored.status == SIGUSR1);
  CHECK(blocked.outcome == Outcome::signaled);
  CHECK(blocked.status == SIGUSR2);
}

TEST_CASE("run_script: a notify line under a shell gets the extra arguments as \"$@\"",
          "[exec][child_process]") {
  TempDir dir{"redkeep-exec-test"};
  const std::string out = dir.file("args");
  const auto line = redkeep::exec::parse_command_line("printf '%s,' > " + out,
                                                      {"INSTANCE", "VI_1", "MASTER", "150"});
  REQUIRE(line.shell);
  const auto r = run(line.argv);
  REQUIRE(r.success());
  CHECK(read_file(out).value_or("<missing>") == "INSTANCE,VI_1,MASTER,150,");
}

TEST_CASE("resolve_run_as: a user's uid, primary group and groups", "[exec][child_process]") {
  std::string error;
  auto as = resolve_run_as("nobody", std::nullopt, error);
  REQUIRE(as);
  CHECK(error.empty());
  CHECK(as->uid == 65534);
  CHECK(as->gid == 65534);  // nogroup, nobody's primary group
  CHECK(as->groups == std::vector<gid_t>{65534});
  // A group given replaces the primary one.
  as = resolve_run_as("nobody", std::string("daemon"), error);
  REQUIRE(as);
  CHECK(as->uid == 65534);
  CHECK(as->gid == 1);
}

TEST_CASE("resolve_run_as: an unknown user or group is an error naming it",
          "[exec][child_process]") {
  std::string error;
  CHECK_FALSE(resolve_run_as("redkeep-no-such-user", std::nullopt, error));
  CHECK(error == "no user named redkeep-no-such-user");
  error.clear();
  CHECK_FALSE(resolve_run_as("nobody", std::string("redkeep-no-such-group"), error));
  CHECK(error == "no group named redkeep-no-such-group");
}

TEST_CASE("run_script: a script runs as the user resolve_run_as found",
          "[exec][child_process][root]") {
  REQUIRE(geteuid() == 0);  // the unit tests run as root (README's test command)
  TempDir dir{"redkeep-exec-test"};
  REQUIRE(chmod(dir.path().c_str(), 0777) == 0);  // nobody writes its answer here
  const std::string out = dir.file("id");
  std::string error;
  const auto as = resolve_run_as("nobody", std::nullopt, error);
  REQUIRE(as);
  const auto r = sh("{ id -u; id -g; id -G; } > " + out, 10s, as);
  REQUIRE(r.success());
  CHECK(read_file(out).value_or("<missing>") == "65534\n65534\n65534\n");
}

TEST_CASE("RunResult::describe says how each run ended", "[exec][child_process]") {
  RunResult r;
  r.outcome = Outcome::exited;
  r.status = 1;
  CHECK(r.describe() == "exited with status 1");
  r.outcome = Outcome::signaled;
  r.status = SIGTERM;
  CHECK(r.describe() == "killed by signal 15 (Terminated)");
  r.outcome = Outcome::timed_out;
  r.took = 2000ms;
  CHECK(r.describe() == "timed out after 2000 ms (killed with its process group)");
  r.outcome = Outcome::no_start;
  r.detail = "exec /x: No such file or directory";
  CHECK(r.describe() == "could not start: exec /x: No such file or directory");
  r.outcome = Outcome::stopped;
  CHECK(r.describe() == "stopped (killed with its process group)");
}

TEST_CASE("run_script: a script dies with the redkeep that runs it when that one is killed",
          "[exec][child_process]") {
  TempDir dir{"redkeep-exec-test"};
  const std::string pid_file = dir.file("pid");
  // A process of its own plays the daemon: it runs a long script, and is killed with SIGKILL.
  const pid_t daemon = fork();
  REQUIRE(daemon >= 0);
  if (daemon == 0) {
    sh("echo $$ > " + pid_file + ".tmp && mv " + pid_file + ".tmp " + pid_file +
       " && exec sleep 30");
    _exit(0);
  }
  const auto deadline = Clock::now() + 5s;
  std::optional<std::string> text;
  while (!(text = read_file(pid_file)) && Clock::now() < deadline)
    std::this_thread::sleep_for(20ms);
  REQUIRE(text);
  const pid_t script = std::stoi(*text);
  REQUIRE(kill(daemon, SIGKILL) == 0);
  REQUIRE(waitpid(daemon, nullptr, 0) == daemon);
  CHECK(dies_by(script, Clock::now() + 5s));
}

TEST_CASE(
    "run_script: what a script leaves in its process group is killed when asked, kept "
    "otherwise",
    "[exec][child_process]") {
  TempDir dir{"redkeep-exec-test"};
  for (const auto leftovers : {redkeep::exec::Leftovers::kill, redkeep::exec::Leftovers::keep}) {
    const std::string pid_file = dir.file("pid");
    static const std::atomic<bool> never{false};
    const auto r = run_script({"/bin/sh", "-c", "sleep 30 & echo $! > " + pid_file}, std::nullopt,
                              10s, never, leftovers);
    REQUIRE(r.success());
    const auto text = read_file(pid_file);
    REQUIRE(text);
    const pid_t child = std::stoi(*text);
    if (leftovers == redkeep::exec::Leftovers::kill) {
      CHECK(dies_by(child, Clock::now() + 5s));
    } else {
      CHECK_FALSE(dies_by(child, Clock::now() + 300ms));
      kill(child, SIGKILL);
    }
  }
}
