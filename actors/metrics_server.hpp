#pragma once
// /metrics for Prometheus (global_defs metrics_listen), served by libevent's HTTP server on one
// thread of its own, so a slow scraper never touches CAF's scheduler. Each scrape asks the
// supervisor for the status (as `redkeep status --json`) and renders it
// (metrics/exposition.hpp).
//
// libevent rather than cpp-httplib: Debian's cpp-httplib links OpenSSL, brotli and zlib, which
// cost every node 3.9 MB resident (libcrypto alone 3.1 MB) even with metrics off; libevent's
// HTTP server has no TLS and costs a few hundred kB.

#include <caf/all.hpp>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "config/model.hpp"

struct bufferevent;
struct event_base;
struct evhttp;
struct event;
struct evhttp_request;

namespace redkeep::actors {

/// One HTTP connection lives at most kConnectionLifetime and at most kMaxConnections are open:
/// a client that trickles bytes (slowloris) must not hold file descriptors the daemon needs
/// for its scripts and Redis connections. Headers are capped at kMaxHeaderBytes, bodies at 0.
class MetricsServer {
 public:
  static constexpr std::size_t kMaxConnections = 16;
  static constexpr auto kConnectionLifetime = std::chrono::seconds(10);
  static constexpr long kMaxHeaderBytes = 8192;

  /// Listens on `where` and starts serving. Throws std::runtime_error naming the address when
  /// it cannot listen (in use, not an address of this host).
  MetricsServer(caf::actor_system& sys, caf::actor supervisor, config::ListenAddress where);
  /// Stops listening and joins the server's thread.
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

 private:
  static void on_request(evhttp_request* request, void* self);
  static void respond(evhttp_request* request, MetricsServer* self);
  /// Drops our reference to connections evhttp has closed: they no longer count to the cap.
  void forget_closed();
  static void on_stop(int fd, short events, void* self);
  static bufferevent* on_connection(event_base* base, void* self);
  static void on_sweep(int fd, short events, void* self);
  /// Ends the connections past their deadline (all of them when `all`).
  void sweep(bool all);
  /// The body of /metrics; `http_status` 503 when the supervisor does not answer in time.
  std::string scrape(int& http_status);
  void release();

  caf::actor_system& sys_;
  caf::actor supervisor_;
  config::ListenAddress where_;
  event_base* base_ = nullptr;
  evhttp* http_ = nullptr;
  int stop_fd_ = -1;  // an eventfd: written by the destructor, wakes the loop to end it
  event* stop_event_ = nullptr;
  event* sweep_event_ = nullptr;  // each second
  /// Every connection's bufferevent, with a reference of ours (its socket stays open until we
  /// drop it, so shutting it down never hits a reused descriptor), and its deadline.
  struct Connection {
    bufferevent* bev;
    std::chrono::steady_clock::time_point deadline;
  };
  std::vector<Connection> connections_;  // the loop thread's only
  std::thread thread_;
};

}  // namespace redkeep::actors
