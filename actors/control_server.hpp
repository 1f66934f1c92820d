#pragma once
// The control socket: a unix stream socket (mode 0600) on which `redkeep status`,
// `redkeep cold-start`, `redkeep switchover` and `redkeep reload` talk to the running daemon.
// One request line ("status", "cold-start-force [INSTANCE]", "switchover TIMEOUT_MS
// [INSTANCE]", "reload"), one JSON answer, then the server closes the connection.

#include <caf/all.hpp>

#include <nlohmann/json.hpp>

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <ostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "actors/poll_thread.hpp"
#include "net/io.hpp"
#include "net/reactor.hpp"

namespace redkeep::actors {

/// Serves the control socket: the node's reactor accepts and reads the request lines (a slow
/// client holds nobody up), and a LazyLane answers them one by one (answers wait on the
/// actors, so they stay off CAF's scheduler and off the reactor);
/// asks `supervisor` with a scoped actor. Stops and unlinks the socket in the destructor.
class ControlServer {
 public:
  /// Binds `path` (an existing socket file there is replaced; its directory is
  /// created 0755 if missing) and starts serving. Throws std::runtime_error
  /// naming the path and errno text when the socket cannot be made.
  /// `reload` answers "reload" (Reloader::reload); empty: refused.
  ControlServer(caf::actor_system& sys, caf::actor supervisor, std::string path,
                std::function<std::string()> reload = {});
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

 private:
  /// At most this many requests wait for the worker; more are closed unanswered.
  static constexpr std::size_t kMaxQueued = 16;
  /// At most this many clients are being read; a new one closes the oldest.
  static constexpr std::size_t kMaxReading = 32;
  /// A request line is at most this long (bytes); what came by then is the request.
  static constexpr std::size_t kMaxRequest = 1024;

  /// A client whose request line is not complete yet.
  struct Reading {
    int fd = -1;
    std::string buffer;
    net::Reactor::Watch watch;
  };

  void accept_clients();              // on the reactor
  void read_client(std::uint64_t id);  // on the reactor
  /// On the lane: a switchover or a reload goes to the long thread, the rest is answered here.
  void handle(const std::shared_ptr<net::UniqueFd>& client, const std::string& request);
  /// `long_thread`: on the switchover/reload thread (otherwise those are refused as busy).
  void answer(int client, const std::string& request, bool long_thread);
  std::string reply_to(const std::string& request, bool long_thread);

  /// A switchover or a reload runs for seconds: it is answered on its own thread so that
  /// status stays answered meanwhile (one at a time).
  std::thread long_thread_;
  std::atomic<bool> long_busy_{false};

  caf::actor_system& sys_;
  caf::actor supervisor_;
  std::string path_;
  std::function<std::string()> reload_;
  int listen_fd_ = -1;
  std::mutex mutex_;  // guards the three below
  bool stop_ = false;
  std::map<std::uint64_t, Reading> reading_;  // by arrival
  std::uint64_t next_reading_ = 0;
  std::atomic<std::size_t> waiting_{0};  // requests posted, not yet begun
  LazyLane lane_{"rk-control", [](const std::string&) {}};  // its tasks catch what they throw
  net::Reactor::Watch accepts_;  // last: unwatched first
};

/// Why `path` cannot be this daemon's control socket, or nullopt when it is
/// free: another redkeep answers there (same config twice), or something that
/// is not a socket sits there (it would be deleted).
std::optional<std::string> control_socket_in_use(const std::string& path);

/// Client side: connects to `path`, sends "status", returns the JSON text.
/// Throws std::runtime_error naming the path when the daemon cannot be reached.
std::string query_status(const std::string& path, int timeout_ms = 3000);

/// Client side: sends one request line (e.g. "status", or with
/// REDKEEP_TEST_HOOKS=1 in the daemon's environment "crash election[NAME]")
/// and returns the answer. Throws std::runtime_error like query_status.
std::string control_request(const std::string& path, const std::string& request,
                            int timeout_ms = 3000);

/// Client side: control_request's answer parsed as a JSON object; discarded (is_discarded)
/// when the daemon cannot be reached or answers something else, which is reported to `err`
/// after `who` ("redkeep cold-start: ...").
nlohmann::json ask_daemon(const std::string& path, const std::string& request,
                          const std::string& who, std::ostream& err, int timeout_ms = 3000);

}  // namespace redkeep::actors
