#include "exec/child_process.hpp"

#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "exec/command_line.hpp"

namespace redkeep::exec {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

/// The capabilities redkeep runs with, which no script gets.
constexpr int kDropped[] = {CAP_NET_ADMIN, CAP_NET_RAW};

/// Removes kDropped from the ambient, bounding and inheritable sets. Failures are ignored: a
/// process without CAP_SETPCAP holds none of them to begin with.
void drop_capabilities() {
  prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  for (int cap : kDropped) prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (syscall(SYS_capget, &header, data) != 0) return;
  for (int cap : kDropped) {
    const auto bit = 1u << (cap % 32);
    data[cap / 32].inheritable &= ~bit;
  }
  syscall(SYS_capset, &header, data);
}

/// In the child: which step failed (errno follows) and exit 127.
[[noreturn]] void fail(int report, int step) {
  int message[2] = {step, errno};
  [[maybe_unused]] auto n = write(report, message, sizeof message);
  _exit(127);
}

/// In the child, between fork and exec: only async-signal-safe calls. Reports errno through
/// `report` (close-on-exec: it closes unread when exec succeeds) and exits 127 on failure.
[[noreturn]] void child(char* const* argv, const std::optional<RunAs>& as, int report,
                        pid_t parent) {
  setpgid(0, 0);
  // A redkeep killed outright (SIGKILL) takes its scripts along (not their own children,
  // which a timeout would have killed with the group).
  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  if (getppid() != parent) _exit(127);  // it died before the line above
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig = 1; sig < NSIG; ++sig) signal(sig, SIG_DFL);
  const int null = open("/dev/null", O_RDWR);
  if (null < 0) fail(report, 0);
  for (int fd = 0; fd < 3; ++fd)
    if (dup2(null, fd) < 0) fail(report, 0);
  if (null > 2) close(null);
  // Nothing of the daemon's (sockets, netlink, the Redis connections) reaches the script.
  if (syscall(SYS_close_range, 3u, ~0u, 4u /* CLOSE_RANGE_CLOEXEC */) != 0) {
    for (int fd = 3; fd < 4096; ++fd)
      if (fd != report) fcntl(fd, F_SETFD, FD_CLOEXEC);
  }
  drop_capabilities();
  if (as) {
    if (setgroups(as->groups.size(), as->groups.data()) != 0) fail(report, 1);
    if (setgid(as->gid) != 0) fail(report, 1);
    if (setuid(as->uid) != 0) fail(report, 1);
  }
  execvp(argv[0], argv);
  fail(report, 2);
}

std::string errno_text(int err) { return std::strerror(err); }

}  // namespace

std::optional<RunAs> resolve_run_as(const std::string& user,
                                    const std::optional<std::string>& group, std::string& error) {
  std::vector<char> buffer(16384);
  passwd pw{};
  passwd* found = nullptr;
  if (getpwnam_r(user.c_str(), &pw, buffer.data(), buffer.size(), &found) != 0 || !found) {
    error = "no user named " + user;
    return std::nullopt;
  }
  RunAs as;
  as.uid = pw.pw_uid;
  as.gid = pw.pw_gid;
  if (group) {
    std::vector<char> gbuffer(16384);
    struct group gr {};
    struct group* gfound = nullptr;
    if (getgrnam_r(group->c_str(), &gr, gbuffer.data(), gbuffer.size(), &gfound) != 0 || !gfound) {
      error = "no group named " + *group;
      return std::nullopt;
    }
    as.gid = gr.gr_gid;
  }
  int count = 64;
  as.groups.resize(count);
  if (getgrouplist(user.c_str(), as.gid, as.groups.data(), &count) < 0) {
    as.groups.resize(count);
    getgrouplist(user.c_str(), as.gid, as.groups.data(), &count);
  }
  as.groups.resize(count);
  return as;
}

std::string RunResult::describe() const {
  switch (outcome) {
    case Outcome::exited:
      return "exited with status " + std::to_string(status);
    case Outcome::signaled:
      return "killed by signal " + std::to_string(status) + " (" +
             (sigdescr_np(status) ? sigdescr_np(status) : "?") + ")";
    case Outcome::timed_out:
      return "timed out after " + std::to_string(took.count()) +
             " ms (killed with its process group)";
    case Outcome::no_start:
      return "could not start: " + detail;
    case Outcome::stopped:
      return "stopped (killed with its process group)";
  }
  return "?";
}

RunResult run_script(const std::vector<std::string>& argv, const std::optional<RunAs>& as,
                     milliseconds timeout, const std::atomic<bool>& stop, Leftovers leftovers) {
  RunResult result;
  if (argv.empty()) {
    result.detail = "empty command line";
    return result;
  }
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) {
    result.detail = "pipe: " + errno_text(errno);
    return result;
  }
  const auto started = Clock::now();
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    result.detail = "fork: " + errno_text(errno);
    close(report[0]);
    close(report[1]);
    return result;
  }
  if (pid == 0) child(args.data(), as, report[1], parent);
  // Also from here: the child may not have run setpgid yet when we kill its group.
  setpgid(pid, pid);
  close(report[1]);
  int message[2] = {0, 0};
  ssize_t n;
  do {
    n = read(report[0], message, sizeof message);
  } while (n < 0 && errno == EINTR);
  close(report[0]);
  if (n == static_cast<ssize_t>(sizeof message)) {
    waitpid(pid, nullptr, 0);
    static const char* const steps[] = {"/dev/null", "switching to the user", "exec"};
    result.detail = std::string(steps[message[0] >= 0 && message[0] < 3 ? message[0] : 2]) + " " +
                    (message[0] == 2 ? argv[0] + ": " : std::string()) + errno_text(message[1]);
    result.took = std::chrono::duration_cast<milliseconds>(Clock::now() - started);
    return result;
  }

  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  const auto deadline = started + timeout;
  int status = 0;
  for (;;) {
    // Exited (not reaped yet: its pid, the group's id, cannot be reused while we kill).
    siginfo_t info{};
    if (waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
        info.si_pid == pid) {
      if (leftovers == Leftovers::kill) kill(-pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    const auto now = Clock::now();
    const bool timed_out = now >= deadline;
    if (timed_out || stop) {
      kill(-pid, SIGKILL);
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      result.outcome = timed_out ? RunResult::Outcome::timed_out : RunResult::Outcome::stopped;
      break;
    }
    const auto slice =
        std::min<milliseconds>(milliseconds(100), std::chrono::ceil<milliseconds>(deadline - now));
    if (pidfd >= 0) {
      pollfd p{pidfd, POLLIN, 0};
      poll(&p, 1, static_cast<int>(slice.count()));
    } else {
      std::this_thread::sleep_for(std::min(slice, milliseconds(10)));
    }
  }
  if (pidfd >= 0) close(pidfd);
  result.took = std::chrono::duration_cast<milliseconds>(Clock::now() - started);
  if (result.outcome == RunResult::Outcome::no_start) {
    if (WIFEXITED(status)) {
      result.outcome = RunResult::Outcome::exited;
      result.status = WEXITSTATUS(status);
    } else {
      result.outcome = RunResult::Outcome::signaled;
      result.status = WTERMSIG(status);
    }
  }
  return result;
}

RunResult run_command_line(const std::string& line, const std::vector<std::string>& extra,
                           const std::optional<std::string>& user,
                           const std::optional<std::string>& group, milliseconds timeout,
                           const std::atomic<bool>& stop, Leftovers leftovers) {
  std::optional<RunAs> as;
  if (user) {
    RunResult failed;
    as = resolve_run_as(*user, group, failed.detail);
    if (!as) return failed;
  }
  return run_script(parse_command_line(line, extra).argv, as, timeout, stop, leftovers);
}

}  // namespace redkeep::exec
