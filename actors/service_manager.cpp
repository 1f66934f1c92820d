#include "actors/service_manager.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <iterator>

#include "actors/log.hpp"

namespace redkeep::actors {

ServiceManager& ServiceManager::get() {
  static ServiceManager manager;
  return manager;
}

ServiceManager::ServiceManager() {
  const char* path = std::getenv("NOTIFY_SOCKET");
  const std::string notify = path ? path : "";
  // sun_path holds 108 bytes: a path needs its terminating NUL, an abstract name does not.
  const std::size_t room = sizeof(sockaddr_un::sun_path) - (notify.rfind('@', 0) == 0 ? 0 : 1);
  if (notify.empty()) {
    // Not run by systemd (or Type= is not notify): nothing to say.
  } else if ((notify[0] != '/' && notify[0] != '@') || notify.size() > room) {
    problem_ = "NOTIFY_SOCKET=" + notify +
               " is neither an absolute path nor an abstract name (@...) that fits a unix "
               "socket address: systemd is not notified";
  } else {
    socket_path_ = notify;
  }
  // sd_watchdog_enabled(3): the watchdog is ours only when WATCHDOG_PID is unset or our pid.
  const char* usec = std::getenv("WATCHDOG_USEC");
  const char* pid = std::getenv("WATCHDOG_PID");
  const auto number = [](const char* text) -> std::optional<unsigned long long> {
    unsigned long long n = 0;
    const char* end = text + std::strlen(text);
    const auto [at, ec] = std::from_chars(text, end, n);
    if (ec != std::errc() || at != end || at == text) return std::nullopt;
    return n;
  };
  const bool ours = !pid || number(pid) == static_cast<unsigned long long>(getpid());
  if (usec && !socket_path_.empty() && ours) {
    const auto us = number(usec);
    if (!us || *us == 0) {
      problem_ = std::string("WATCHDOG_USEC=") + usec +
                 " is not a positive number of microseconds: no watchdog pings";
    } else {
      // A quarter of the interval, at least 10 ms: a tick of a few microseconds would keep an
      // election busy with pings alone (WatchdogSec has no smaller sensible value anyway).
      const auto quarter =
          std::chrono::microseconds(std::min<unsigned long long>(*us / 4, 1ULL << 40));
      watchdog_tick_ = std::max<std::chrono::microseconds>(quarter, std::chrono::milliseconds(10));
    }
  }
  for (const char* name : {"NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"}) unsetenv(name);
}

void ServiceManager::set_instances(const std::set<std::string>& names) {
  std::lock_guard lock(mutex_);
  first_state_.set_members(names);
  alive_.set_members(names);
  for (auto it = states_.begin(); it != states_.end();)
    it = names.count(it->first) ? std::next(it) : states_.erase(it);
}

void ServiceManager::instance_state(const std::string& instance, const std::string& state) {
  std::lock_guard lock(mutex_);
  states_[instance] = state;
  const bool all_there = first_state_.answer(instance);
  if (!ready_sent_ && all_there) {
    ready_sent_ = true;
    send("READY=1\n" + status_line());
  } else {
    send(status_line());
  }
}

void ServiceManager::election_alive(const std::string& instance) {
  std::lock_guard lock(mutex_);
  if (alive_.answer(instance) || reloading_) send("WATCHDOG=1");
}

void ServiceManager::reloading() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  const auto usec = static_cast<long long>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
  std::lock_guard lock(mutex_);
  reloading_ = true;
  send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec));
}

void ServiceManager::reloaded() {
  std::lock_guard lock(mutex_);
  reloading_ = false;
  send("READY=1\n" + status_line());
}

void ServiceManager::stopping() {
  std::lock_guard lock(mutex_);
  if (stopping_sent_) return;
  stopping_sent_ = true;
  send("STOPPING=1");
}

std::string ServiceManager::status_line() const {
  std::string line = "STATUS=";
  for (const auto& [instance, state] : states_) {
    if (line.size() > 7) line += ", ";
    line += instance + " " + state;
  }
  return line;
}

void ServiceManager::send(const std::string& message) {
  if (socket_path_.empty()) return;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, socket_path_.data(), socket_path_.size());
  if (addr.sun_path[0] == '@') addr.sun_path[0] = '\0';  // abstract namespace
  const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_path_.size());
  // A socket per message: a handful a second at most, and nothing held open across a fork.
  const int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  // Never blocking: a receiver that stops reading must not stop the election calling this.
  bool ok = fd >= 0 && sendto(fd, message.data(), message.size(), MSG_NOSIGNAL | MSG_DONTWAIT,
                              reinterpret_cast<const sockaddr*>(&addr), len) >= 0;
  const int err = errno;
  if (fd >= 0) close(fd);
  if (!ok && !send_failed_) {
    send_failed_ = true;  // said once: a receiver that stops reading would flood the log
    daemon_log().warn(core::LogKind::service_manager,
                      "Cannot notify the service manager at NOTIFY_SOCKET {} ({}); the "
                      "message is dropped (said once, later failures are not logged)",
                      socket_path_, std::strerror(err));
  }
}

}  // namespace redkeep::actors
