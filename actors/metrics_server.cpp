#include "actors/metrics_server.hpp"

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <stdexcept>

#include "actors/messages.hpp"
#include "actors/poll_thread.hpp"
#include "metrics/exposition.hpp"

namespace redkeep::actors {

MetricsServer::MetricsServer(caf::actor_system& sys, caf::actor supervisor,
                             config::ListenAddress where)
    : sys_(sys), supervisor_(std::move(supervisor)), where_(std::move(where)) {
  base_ = event_base_new();
  http_ = base_ ? evhttp_new(base_) : nullptr;
  stop_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  stop_event_ = base_ && stop_fd_ >= 0
                    ? event_new(base_, stop_fd_, EV_READ, &MetricsServer::on_stop, this)
                    : nullptr;
  if (!http_ || !stop_event_ || event_add(stop_event_, nullptr) != 0) {
    release();
    throw std::runtime_error("metrics_listen " + where_.to_string() +
                             ": cannot set up the HTTP server");
  }
  evhttp_set_timeout(http_, 5);  // seconds: a client that stalls is dropped
  evhttp_set_allowed_methods(http_, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
  evhttp_set_gencb(http_, &MetricsServer::on_request, this);
  if (evhttp_bind_socket(http_, where_.address.to_string().c_str(), where_.port) != 0) {
    const std::string why = std::strerror(errno);
    release();
    throw std::runtime_error("metrics_listen " + where_.to_string() + ": cannot listen there (" +
                             why + ")");
  }
  thread_ = std::thread([base = base_] {
    name_this_thread("rk-metrics");
    event_base_dispatch(base);
  });
}

MetricsServer::~MetricsServer() {
  const std::uint64_t one = 1;
  if (write(stop_fd_, &one, sizeof one) < 0) {
    // The eventfd cannot be full after one write: nothing to do but join.
  }
  if (thread_.joinable()) thread_.join();
  release();
}

void MetricsServer::release() {
  if (stop_event_) event_free(stop_event_);
  if (http_) evhttp_free(http_);
  if (base_) event_base_free(base_);
  if (stop_fd_ >= 0) close(stop_fd_);
  stop_event_ = nullptr;
  http_ = nullptr;
  base_ = nullptr;
  stop_fd_ = -1;
}

void MetricsServer::on_stop(int, short, void* self) {
  event_base_loopbreak(static_cast<MetricsServer*>(self)->base_);
}

void MetricsServer::on_request(evhttp_request* request, void* self_ptr) {
  auto* self = static_cast<MetricsServer*>(self_ptr);
  const char* path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(request));
  evbuffer* body = evbuffer_new();
  if (!body) {
    evhttp_send_error(request, HTTP_INTERNAL, nullptr);
    return;
  }
  int status = 200;
  std::string text;
  if (path == nullptr || std::strcmp(path, "/metrics") != 0) {
    status = HTTP_NOTFOUND;
    text = "only /metrics is served here\n";
  } else {
    text = self->scrape(status);
  }
  evhttp_add_header(evhttp_request_get_output_headers(request), "Content-Type",
                    status == 200 ? metrics::kContentType : "text/plain; charset=utf-8");
  evbuffer_add(body, text.data(), text.size());
  evhttp_send_reply(request, status, status == 200 ? "OK" : status == 404 ? "Not Found"
                                                                           : "Service Unavailable",
                    body);
  evbuffer_free(body);
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
