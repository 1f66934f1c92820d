#pragma once
// The daemon's side of systemd's notification protocol (sd_notify(3), "Type=notify"): READY
// once every instance has reached its first VRRP state, RELOADING/READY around a reload,
// STOPPING at a stop signal, STATUS with each instance's state, and WATCHDOG once every
// election loop has run since the last ping (a hung election starves it; a ping from a thread
// of its own would not). Nothing is sent when NOTIFY_SOCKET is unset (not run by systemd).
//
// The protocol is a datagram on a Unix socket, documented as stable for reimplementation;
// linking libsystemd instead would map its compression and crypto libraries into every node.

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "core/roll_call.hpp"

namespace redkeep::actors {

class ServiceManager {
 public:
  /// The process's one instance. The first call reads NOTIFY_SOCKET, WATCHDOG_USEC and
  /// WATCHDOG_PID and removes them from the environment (scripts must not notify in our
  /// name): make it before any thread starts.
  static ServiceManager& get();

  /// The instances that must reach a state before READY, and answer for each WATCHDOG.
  void set_instances(const std::set<std::string>& names);
  /// `instance` entered VRRP state `state` ("BACKUP", "MASTER", "FAULT"): STATUS, and READY=1
  /// when it completes the first round.
  void instance_state(const std::string& instance, const std::string& state);
  /// `instance`'s election ran its watchdog tick: WATCHDOG=1 when every instance's has since
  /// the previous ping, or at any tick during a reload (it stops and starts elections).
  void election_alive(const std::string& instance);
  /// How often each election ticks: a quarter of WATCHDOG_USEC, at least 10 ms (systemd asks
  /// for a ping within half of it; a round needs every election, so up to two ticks). nullopt:
  /// no watchdog for this process.
  std::optional<std::chrono::microseconds> watchdog_tick() const { return watchdog_tick_; }

  /// What is wrong with the environment systemd gave (NOTIFY_SOCKET, WATCHDOG_USEC), for the
  /// log once logging is set up; "" when nothing.
  const std::string& problem() const { return problem_; }

  /// RELOADING=1 with MONOTONIC_USEC (microseconds of CLOCK_MONOTONIC), before a reload.
  void reloading();
  /// READY=1 after a reload, whatever its outcome (the daemon runs on either way).
  void reloaded();
  /// STOPPING=1, once.
  void stopping();

 private:
  ServiceManager();
  /// One datagram to NOTIFY_SOCKET; a failure is logged once.
  void send(const std::string& message);
  std::string status_line() const;

  std::mutex mutex_;
  std::string socket_path_;  // "" = not under systemd; "@..." = abstract namespace
  std::string problem_;
  std::optional<std::chrono::microseconds> watchdog_tick_;
  core::RollCall first_state_;
  core::RollCall alive_;
  bool ready_sent_ = false;
  bool stopping_sent_ = false;
  bool reloading_ = false;
  bool send_failed_ = false;
  std::map<std::string, std::string> states_;  // instance -> VRRP state
};

}  // namespace redkeep::actors
