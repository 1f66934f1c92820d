#pragma once
// Test support: network namespaces made and removed by the test itself (RAII), a veth lab
// between two of them, and a way to run code inside a namespace.
//
// setns(CLONE_NEWNET) changes only the calling thread, so NetNs::run() executes a function in
// a fresh std::thread that first enters the namespace. Sockets created there stay in that
// namespace for their whole life, so the function can return them (or objects owning them)
// to the test's own thread, which then uses them normally.
//
// Header-only: CMake compiles only tests/unit/**, and these helpers are tiny.
// Names start with "rk-t-<pid>-" so parallel test runs never clash; only 192.0.2.0/24
// (TEST-NET-1) addresses are used, and nothing is created in the caller's own namespace.
// Errors while building the lab throw std::runtime_error (Catch2 reports it).

#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>

namespace redkeep::test {

/// Runs a shell command; returns its exit status (or -1 when it did not exit normally).
inline int run_status(const std::string& command) {
  int rc = std::system(command.c_str());
  return (rc != -1 && WIFEXITED(rc)) ? WEXITSTATUS(rc) : -1;
}

/// Runs a shell command and throws std::runtime_error naming it when it fails.
inline void run_or_throw(const std::string& command) {
  if (run_status(command) != 0) throw std::runtime_error("command failed: " + command);
}

/// Runs a shell command and returns its standard output.
inline std::string capture(const std::string& command) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) throw std::runtime_error("popen failed: " + command);
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  ::pclose(p);
  return out;
}

/// Polls `predicate` every 20 ms until it returns true or `timeout_ms` passes; returns its
/// last value. Bounded: for conditions the kernel reaches asynchronously.
template <class Predicate>
bool eventually(Predicate predicate, int timeout_ms = 3000) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    if (predicate()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

/// A network namespace `rk-t-<pid>-<n>-<tag>`, created by `ip netns add` and deleted (with
/// every interface inside it) by the destructor, also when a test assertion failed.
class NetNs {
 public:
  explicit NetNs(const std::string& tag) {
    static std::atomic<int> counter{0};
    name_ = "rk-t-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" + tag;
    run_or_throw("ip netns add " + name_);
  }
  ~NetNs() { run_status("ip netns del " + name_ + " >/dev/null 2>&1"); }
  NetNs(const NetNs&) = delete;
  NetNs& operator=(const NetNs&) = delete;

  const std::string& name() const { return name_; }

  /// Runs `ip -n <name> <args>`; throws when it fails.
  void ip(const std::string& args) const { run_or_throw("ip -n " + name_ + " " + args); }

  /// Output of `ip -n <name> <args>`.
  std::string ip_output(const std::string& args) const {
    return capture("ip -n " + name_ + " " + args + " 2>&1");
  }

  /// Calls `f()` in a new thread that has entered this namespace and returns its result;
  /// an exception thrown by `f` is rethrown here. Do not use Catch2 assertions inside `f`
  /// (they are not thread-safe): return values and assert on them afterwards.
  template <class F>
  auto run(F&& f) const -> std::invoke_result_t<F&> {
    using R = std::invoke_result_t<F&>;
    std::exception_ptr error;
    std::optional<std::conditional_t<std::is_void_v<R>, int, R>> result;
    std::thread worker([&] {
      try {
        std::string path = "/run/netns/" + name_;
        int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) throw std::runtime_error("cannot open " + path);
        int rc = ::setns(fd, CLONE_NEWNET);
        ::close(fd);
        if (rc != 0) throw std::runtime_error("setns into " + name_ + " failed");
        if constexpr (std::is_void_v<R>) {
          f();
          result.emplace(0);
        } else {
          result.emplace(f());
        }
      } catch (...) {
        error = std::current_exception();
      }
    });
    worker.join();
    if (error) std::rethrow_exception(error);
    if constexpr (!std::is_void_v<R>) return std::move(*result);
  }

 private:
  std::string name_;
};

/// True when `dev` in `ns` is up with carrier ("state UP" and LOWER_UP in `ip link`).
inline bool link_is_up(const NetNs& ns, const std::string& dev) {
  std::string out = ns.ip_output("-o link show dev " + dev);
  return out.find("LOWER_UP") != std::string::npos && out.find("state UP") != std::string::npos;
}

/// Two namespaces joined by a veth pair: `veth0` (192.0.2.1/24) in `a` and `veth1`
/// (192.0.2.2/24) in `b`, both up with carrier when the constructor returns (the kernel only
/// transmits once the link is running, so tests must not start earlier).
struct VethLab {
  NetNs a{"a"};
  NetNs b{"b"};
  static constexpr const char* kDevA = "veth0";
  static constexpr const char* kDevB = "veth1";

  VethLab() {
    a.ip(std::string("link add ") + kDevA + " type veth peer name " + kDevB + " netns " +
         b.name());
    a.ip(std::string("addr add 192.0.2.1/24 dev ") + kDevA);
    b.ip(std::string("addr add 192.0.2.2/24 dev ") + kDevB);
    a.ip(std::string("link set ") + kDevA + " up");
    b.ip(std::string("link set ") + kDevB + " up");
    if (!eventually([&] { return link_is_up(a, kDevA) && link_is_up(b, kDevB); })) {
      throw std::runtime_error("veth pair " + a.name() + "/" + b.name() + " did not come up");
    }
  }

  /// MAC address of `dev` in `ns` as `ip link` prints it ("aa:bb:cc:dd:ee:ff").
  static std::string mac_of(const NetNs& ns, const std::string& dev) {
    std::string out = ns.ip_output("-o link show dev " + dev);
    auto pos = out.find("link/ether ");
    if (pos == std::string::npos) throw std::runtime_error("no MAC for " + dev);
    return out.substr(pos + 11, 17);
  }
};

}  // namespace redkeep::test
