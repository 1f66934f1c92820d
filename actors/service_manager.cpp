#include "actors/service_manager.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
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
  if (const char* path = std::getenv("NOTIFY_SOCKET"); path && (*path == '/' || *path == '@'))
    socket_path_ = path;
  // sd_watchdog_enabled(3): the watchdog is ours only when WATCHDOG_PID is unset or our pid.
  const char* usec = std::getenv("WATCHDOG_USEC");
  const char* pid = std::getenv("WATCHDOG_PID");
  if (usec && !socket_path_.empty() && (!pid || std::atoll(pid) == getpid())) {
    const long long us = std::atoll(usec);
    if (us > 0) watchdog_tick_ = std::chrono::microseconds(us / 4);
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
  if (socket_path_.size() >= sizeof addr.sun_path) return;
  std::memcpy(addr.sun_path, socket_path_.data(), socket_path_.size());
  if (addr.sun_path[0] == '@') addr.sun_path[0] = '\0';  // abstract namespace
  const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_path_.size());
  // A socket per message: a handful a second at most, and nothing held open across a fork.
  const int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  bool ok = fd >= 0 && sendto(fd, message.data(), message.size(), MSG_NOSIGNAL,
                              reinterpret_cast<const sockaddr*>(&addr), len) >= 0;
  const int err = errno;
  if (fd >= 0) close(fd);
  if (!ok && !send_failed_) {
    send_failed_ = true;
    daemon_log().warn(core::LogKind::service_manager,
                      "Cannot notify the service manager at NOTIFY_SOCKET {}: {}",
                      socket_path_, std::strerror(err));
  }
}

}  // namespace redkeep::actors
