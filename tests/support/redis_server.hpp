#pragma once
// Test helper: a real redis-server (Debian's /usr/bin/redis-server) on 127.0.0.1 and a free
// port, in its own temporary directory, with no persistence. Header-only so that no CMake
// change is needed (tests/support/ is not globbed). Every wait has a deadline; the destructor
// always stops the process (SIGTERM, then SIGKILL) and removes the directory.

#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace redkeep::test {

class RedisServer {
 public:
  struct Options {
    std::string requirepass;               ///< empty: no password.
    std::vector<std::string> extra_args;   ///< e.g. {"--enable-debug-command", "yes"}.
    std::chrono::milliseconds start_deadline{5000};
    std::chrono::milliseconds stop_deadline{3000};
  };

  RedisServer() : RedisServer(Options{}) {}

  /// Starts redis-server and waits until it answers PING (PONG, or NOAUTH when a password is
  /// set). Throws std::runtime_error (with the server log) when it does not within the deadline.
  explicit RedisServer(Options options) : options_(std::move(options)) {
    char tmpl[] = "/tmp/redkeep-redis-XXXXXX";
    if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    // A free port found by bind(0) can be taken by someone else before redis-server binds it:
    // retry with another port a few times.
    for (int attempt = 0;; ++attempt) {
      port_ = free_port();
      try {
        start();
        return;
      } catch (const std::exception&) {
        if (attempt < 2 && !running()) continue;
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
        throw;
      }
    }
  }

  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  ~RedisServer() {
    stop();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  int port() const { return port_; }
  const std::string& host() const { return host_; }
  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0; }
  const std::string& dir() const { return dir_; }

  /// Starts the server again on the same port and directory (after stop() or kill9()).
  void start() {
    if (pid_ > 0) return;
    std::vector<std::string> args{"/usr/bin/redis-server",
                                  "--port", std::to_string(port_),
                                  "--bind", host_,
                                  "--save", "",
                                  "--appendonly", "no",
                                  "--dir", dir_,
                                  "--daemonize", "no",
                                  "--logfile", log_path(),
                                  "--repl-diskless-sync-delay", "0"};
    if (!options_.requirepass.empty()) {
      args.push_back("--requirepass");
      args.push_back(options_.requirepass);
    }
    args.insert(args.end(), options_.extra_args.begin(), options_.extra_args.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);

    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    pid_ = pid;
    wait_ready();
  }

  /// SIGTERM, then SIGKILL when the process has not exited by the stop deadline.
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    if (!reap_until(std::chrono::steady_clock::now() + options_.stop_deadline)) {
      ::kill(pid_, SIGKILL);
      reap_until(std::chrono::steady_clock::time_point::max());
    }
    pid_ = -1;
  }

  /// kill -9: the process dies at once, as in a crash.
  void kill9() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    reap_until(std::chrono::steady_clock::time_point::max());
    pid_ = -1;
  }

  /// kill -9 then start again on the same port: an empty Redis with a new run_id.
  void restart() {
    kill9();
    start();
  }

  /// The server's log file (for failure messages).
  std::string log_path() const { return dir_ + "/redis.log"; }

  std::string log_text() const {
    std::ifstream in(log_path());
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

 private:
  static int free_port() {
    const int s = ::socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0) throw std::runtime_error("socket failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof(addr);
    if (::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      ::close(s);
      throw std::runtime_error("cannot find a free port");
    }
    ::close(s);
    return ntohs(addr.sin_port);
  }

  // Waits for the child with a deadline; true when it was reaped.
  bool reap_until(std::chrono::steady_clock::time_point deadline) {
    while (true) {
      int status = 0;
      const pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_ || (r < 0 && errno == ECHILD)) return true;
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }

  // True when the server answers PING with PONG or NOAUTH (requirepass set).
  bool answers_ping() const {
    timeval tv{0, 200 * 1000};
    redisContext* c = redisConnectWithTimeout(host_.c_str(), port_, tv);
    if (!c) return false;
    bool ok = false;
    if (!c->err && redisSetTimeout(c, tv) == REDIS_OK) {
      auto* r = static_cast<redisReply*>(redisCommand(c, "PING"));
      if (r) {
        const std::string s(r->str ? r->str : "", r->str ? r->len : 0);
        ok = (r->type == REDIS_REPLY_STATUS && s == "PONG") ||
             (r->type == REDIS_REPLY_ERROR && s.rfind("NOAUTH", 0) == 0);
        freeReplyObject(r);
      }
    }
    redisFree(c);
    return ok;
  }

  void wait_ready() {
    const auto deadline = std::chrono::steady_clock::now() + options_.start_deadline;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("redis-server exited at start; log:\n" + log_text());
      }
      if (answers_ping()) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    kill9();
    throw std::runtime_error("redis-server did not answer PING in time; log:\n" + log_text());
  }

  Options options_;
  std::string host_ = "127.0.0.1";
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace redkeep::test
