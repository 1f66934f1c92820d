#include "actors/metrics_server.hpp"

#include <httplib.h>

#include <stdexcept>

#include "actors/messages.hpp"
#include "metrics/exposition.hpp"

namespace redkeep::actors {

MetricsServer::MetricsServer(caf::actor_system& sys, caf::actor supervisor,
                             config::ListenAddress where)
    : sys_(sys),
      supervisor_(std::move(supervisor)),
      where_(std::move(where)),
      server_(std::make_unique<httplib::Server>()) {
  // One worker: scrapes come seconds apart, and each thread costs the node memory.
  server_->new_task_queue = [] { return new httplib::ThreadPool(1); };
  server_->set_read_timeout(2, 0);
  server_->set_write_timeout(2, 0);
  server_->set_keep_alive_max_count(1);
  server_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    int status = 200;
    res.set_content(scrape(status), status == 200 ? metrics::kContentType : "text/plain");
    res.status = status;
  });
  if (!server_->bind_to_port(where_.address.to_string(), where_.port))
    throw std::runtime_error("metrics_listen " + where_.to_string() +
                             ": cannot listen there (address in use, or not an address of this "
                             "host)");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
}

MetricsServer::~MetricsServer() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

std::string MetricsServer::scrape(int& http_status) {
  caf::scoped_actor self{sys_};
  std::string body;
  self->request(supervisor_, std::chrono::seconds(3), status_atom::value)
      .receive(
          [&](const std::string& status) {
            body = metrics::exposition(nlohmann::json::parse(status, nullptr, false),
                                       REDKEEP_VERSION);
          },
          [&](caf::error& err) {
            http_status = 503;
            body = "the daemon did not answer: " + caf::to_string(err) + "\n";
          });
  return body;
}

}  // namespace redkeep::actors
