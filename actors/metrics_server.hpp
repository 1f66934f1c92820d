#pragma once
// /metrics for Prometheus (global_defs metrics_listen): cpp-httplib serves it from a thread of
// its own with one worker, so a slow scraper never touches CAF's scheduler. Each scrape asks
// the supervisor for the status (as `redkeep status --json`) and renders it
// (metrics/exposition.hpp).

#include <caf/all.hpp>

#include <memory>
#include <string>
#include <thread>

#include "config/model.hpp"

namespace httplib {
class Server;
}

namespace redkeep::actors {

class MetricsServer {
 public:
  /// Listens on `where` and starts serving. Throws std::runtime_error naming the address when
  /// it cannot listen (in use, not an address of this host).
  MetricsServer(caf::actor_system& sys, caf::actor supervisor, config::ListenAddress where);
  /// Stops listening and joins the server's threads.
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  const config::ListenAddress& address() const { return where_; }

 private:
  /// The body of /metrics; an HTTP 503 when the supervisor does not answer in time.
  std::string scrape(int& http_status);

  caf::actor_system& sys_;
  caf::actor supervisor_;
  config::ListenAddress where_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

}  // namespace redkeep::actors
