#include "actors/control_server.hpp"
#include "actors/poll_thread.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <stdexcept>

#include "actors/log.hpp"
#include "actors/messages.hpp"
#include "core/control_request.hpp"
#include "net/reactor.hpp"

namespace redkeep::actors {

namespace {

sockaddr_un unix_address(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr.sun_path))
    throw std::runtime_error("control socket path too long (max " +
                             std::to_string(sizeof(addr.sun_path) - 1) + " bytes): " + path);
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return addr;
}

std::runtime_error sys_error(const std::string& what, const std::string& path) {
  return std::runtime_error(what + " " + path + ": " + std::strerror(errno));
}

/// Test hooks (crashing an actor on request) exist only when the daemon was
/// started with REDKEEP_TEST_HOOKS=1: never in production by accident.
bool test_hooks_enabled() {
  const char* v = std::getenv("REDKEEP_TEST_HOOKS");
  return v != nullptr && std::string(v) == "1";
}

bool wait_fd(int fd, short events, int timeout_ms) {
  pollfd p{fd, events, 0};
  return ::poll(&p, 1, timeout_ms) > 0;
}

}  // namespace

ControlServer::ControlServer(caf::actor_system& sys, caf::actor supervisor, std::string path,
                             std::function<std::string()> reload)
    : sys_(sys),
      supervisor_(std::move(supervisor)),
      path_(std::move(path)),
      reload_(std::move(reload)) {
  auto addr = unix_address(path_);
  std::error_code ec;
  auto dir = std::filesystem::path(path_).parent_path();
  if (!dir.empty() && !std::filesystem::exists(dir)) {
    std::filesystem::create_directories(dir, ec);
    if (ec) throw std::runtime_error("cannot create " + dir.string() + ": " + ec.message());
  }
  // Non-blocking: the reactor accepts until EAGAIN.
  listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (listen_fd_ < 0) throw sys_error("cannot create control socket", path_);
  ::unlink(path_.c_str());
  // Created 0600 from the start: no window in which others could connect.
  auto old_mask = ::umask(0177);
  int rc = ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::umask(old_mask);
  if (rc != 0 || ::listen(listen_fd_, 8) != 0) {
    auto err = sys_error("cannot bind control socket", path_);
    ::close(listen_fd_);
    throw err;
  }
  accepts_ = net::Reactor::get().watch(listen_fd_, [this] { accept_clients(); });
}

ControlServer::~ControlServer() {
  accepts_.reset();
  std::map<std::uint64_t, Reading> reading;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
    reading.swap(reading_);
  }
  // Without mutex_: a read handler running meanwhile takes it, finds nothing and returns.
  for (auto& [id, r] : reading) {
    r.watch.reset();
    ::close(r.fd);
  }
  lane_.close_and_wait();  // the requests waiting are dropped, their clients closed
  if (long_thread_.joinable()) long_thread_.join();
  ::close(listen_fd_);
  ::unlink(path_.c_str());
}

void ControlServer::accept_clients() {
  for (;;) {
    int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (client < 0) return;  // EAGAIN: all taken (or an error the next readiness repeats)
    std::lock_guard<std::mutex> lock(mutex_);
    if (stop_) {
      ::close(client);
      continue;
    }
    // A client that never finishes its line waits until others push it out.
    if (reading_.size() >= kMaxReading) {
      const int oldest = reading_.begin()->second.fd;
      reading_.erase(reading_.begin());  // unwatched before its fd closes
      ::close(oldest);
    }
    const auto id = next_reading_++;
    auto& r = reading_[id];
    r.fd = client;
    try {
      r.watch = net::Reactor::get().watch(client, [this, id] { read_client(id); });
    } catch (const std::system_error& e) {
      daemon_log().error(core::LogKind::control_socket, "Control socket: cannot watch a client: {}",
                         e.what());
      ::close(client);
      reading_.erase(id);
    }
  }
}

void ControlServer::read_client(std::uint64_t id) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = reading_.find(id);
  if (it == reading_.end()) return;
  auto& r = it->second;
  char buf[512];
  for (;;) {
    const auto n = ::read(r.fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;  // the rest comes later
    if (n > 0) r.buffer.append(buf, static_cast<std::size_t>(n));
    // A line, the end of the client's writing, an error or too much: answer what came.
    if (n <= 0 || r.buffer.find('\n') != std::string::npos || r.buffer.size() >= kMaxRequest)
      break;
  }
  const int client = r.fd;
  std::string request = r.buffer.substr(0, r.buffer.find('\n'));
  reading_.erase(it);  // drops this handler's own watch
  // The answer is written blocking, but a client that stops reading costs at most 2 s.
  ::fcntl(client, F_SETFL, ::fcntl(client, F_GETFL) & ~O_NONBLOCK);
  timeval send_timeout{2, 0};
  ::setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof send_timeout);
  if (waiting_ >= kMaxQueued) {
    ::close(client);
    return;
  }
  ++waiting_;
  auto fd = std::make_shared<net::UniqueFd>(client);  // closed with the last task holding it
  try {
    lane_.post([this, fd, request = std::move(request)] {
      --waiting_;
      try {
        handle(fd, request);
      } catch (const std::exception& e) {  // that client goes unanswered; the lane goes on
        daemon_log().error(core::LogKind::control_socket, "Control socket: '{}' failed: {}",
                           request, e.what());
      }
    });
  } catch (const std::system_error& e) {  // no thread now: the next request tries again
    daemon_log().error(core::LogKind::control_socket,
                       "Control socket: cannot start a thread to answer: {}", e.what());
  }
}

void ControlServer::handle(const std::shared_ptr<net::UniqueFd>& client,
                           const std::string& request) {
  if (core::parse_control_request(request).long_running() && !long_busy_.exchange(true)) {
    if (long_thread_.joinable()) long_thread_.join();
    try {
      long_thread_ = std::thread([this, client, request] {
        name_this_thread("rk-control-long");
        answer(client->get(), request, true);
        long_busy_ = false;
      });
      return;
    } catch (const std::system_error&) {
      long_busy_ = false;  // answered below: "already running", the client may try again
    }
  }
  answer(client->get(), request, false);
}

std::string ControlServer::reply_to(const std::string& line, bool long_thread) {
  auto ask = [&](std::chrono::milliseconds timeout, auto... xs) {
    std::string reply;
    caf::scoped_actor self{sys_};
    self->request(supervisor_, timeout, xs...)
        .receive([&](const std::string& json) { reply = json; },
                 [&](caf::error& err) {
                   reply = nlohmann::json{{"error", "daemon did not answer: " +
                                                        caf::to_string(err)}}
                               .dump();
                 });
    return reply;
  };
  // The test hooks answer whether the actor was found, as {"<key>":true|false}.
  auto ask_found = [&](const char* key, auto... xs) {
    std::string reply;
    caf::scoped_actor self{sys_};
    self->request(supervisor_, std::chrono::seconds(3), xs...)
        .receive([&](bool found) { reply = nlohmann::json{{key, found}}.dump(); },
                 [&](caf::error& err) {
                   reply = nlohmann::json{{"error", caf::to_string(err)}}.dump();
                 });
    return reply;
  };
  const std::string running = "a switchover or reload is already running";
  using Kind = core::ControlRequest::Kind;
  const auto request = core::parse_control_request(line);
  switch (request.kind) {
    case Kind::status:
      return ask(std::chrono::seconds(3), status_atom::value);
    case Kind::cold_start_force:
      return ask(std::chrono::seconds(3), cold_start_atom::value, request.target);
    case Kind::reload:
      if (!long_thread) return nlohmann::json{{"ok", false}, {"errors", {running}}}.dump();
      if (!reload_)
        return nlohmann::json{{"ok", false}, {"errors", {"reload not available"}}}.dump();
      return reload_();
    case Kind::malformed_switchover:
      if (!long_thread) return nlohmann::json{{"ok", false}, {"detail", running}}.dump();
      return nlohmann::json{{"ok", false}, {"detail", "malformed switchover request"}}.dump();
    case Kind::switchover:
      if (!long_thread) return nlohmann::json{{"ok", false}, {"detail", running}}.dump();
      return ask(std::chrono::milliseconds(request.ms) + kSwitchoverSlack + std::chrono::seconds(5),
                 switchover_atom::value, request.target, request.ms);
    case Kind::crash:
      if (test_hooks_enabled()) return ask_found("crashed", crash_atom::value, request.target);
      break;
    case Kind::hang:
      if (test_hooks_enabled())
        return ask_found("hung", hang_atom::value, request.target, request.ms);
      break;
    case Kind::unknown:
      break;
  }
  return R"({"error":"unknown request; expected 'status', 'cold-start-force [INSTANCE]', )"
         R"('switchover TIMEOUT_MS [INSTANCE]' or 'reload'"})";
}

void ControlServer::answer(int client, const std::string& request, bool long_thread) {
  const auto reply = reply_to(request, long_thread) + "\n";
  std::size_t off = 0;
  while (off < reply.size()) {
    auto n = ::send(client, reply.data() + off, reply.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return;
    off += static_cast<std::size_t>(n);
  }
}

std::optional<std::string> control_socket_in_use(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return std::nullopt;
  if (!S_ISSOCK(st.st_mode))
    return "control_socket " + path + " exists and is not a socket; refusing to replace it";
  auto addr = unix_address(path);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::nullopt;
  bool live = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  if (live)
    return "another redkeep is running with control_socket " + path +
           " (it answers there); stop it first";
  return std::nullopt;  // a stale socket from a killed run
}

std::string query_status(const std::string& path, int timeout_ms) {
  return control_request(path, "status", timeout_ms);
}

std::string control_request(const std::string& path, const std::string& request, int timeout_ms) {
  auto addr = unix_address(path);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw sys_error("cannot create socket for", path);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    auto err = sys_error("cannot reach redkeep at control socket", path);
    ::close(fd);
    throw err;
  }
  const std::string line = request + "\n";
  (void)::send(fd, line.data(), line.size(), MSG_NOSIGNAL);
  std::string out;
  char buf[4096];
  while (wait_fd(fd, POLLIN, timeout_ms)) {
    auto n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  if (out.empty()) throw std::runtime_error("no answer from redkeep at " + path);
  return out;
}

nlohmann::json ask_daemon(const std::string& path, const std::string& request,
                          const std::string& who, std::ostream& err, int timeout_ms) {
  try {
    auto doc = nlohmann::json::parse(control_request(path, request, timeout_ms), nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
      err << who << ": unexpected answer from " << path << "\n";
      return nlohmann::json(nlohmann::json::value_t::discarded);
    }
    return doc;
  } catch (const std::exception& e) {
    err << who << ": " << e.what() << "\n";
    return nlohmann::json(nlohmann::json::value_t::discarded);
  }
}

}  // namespace redkeep::actors
