#include "actors/metrics_server.hpp"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <stdexcept>

#include "actors/log.hpp"
#include "actors/messages.hpp"
#include "actors/poll_thread.hpp"
#include "metrics/exposition.hpp"

namespace redkeep::actors {

namespace {

/// libevent's own messages ("Error from accept() call: Too many open files") go to our log,
/// at most one line in 10 s: a failing accept repeats as fast as the loop turns.
void libevent_log(int severity, const char* message) {
  using Clock = std::chrono::steady_clock;
  static std::atomic<Clock::rep> last{0};
  const auto now = Clock::now().time_since_epoch().count();
  auto seen = last.load();
  if (severity < EVENT_LOG_WARN ||
      (seen != 0 && now - seen < std::chrono::duration_cast<Clock::duration>(
                                     std::chrono::seconds(10)).count()) ||
      !last.compare_exchange_strong(seen, now))
    return;
  daemon_log().warn(core::LogKind::metrics, "/metrics: {}", message);
}

}  // namespace

MetricsServer::MetricsServer(caf::actor_system& sys, caf::actor supervisor,
                             config::ListenAddress where)
    : sys_(sys), supervisor_(std::move(supervisor)), where_(std::move(where)) {
  event_set_log_callback(&libevent_log);
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
  sweep_event_ = event_new(base_, -1, EV_PERSIST, &MetricsServer::on_sweep, this);
  const timeval second{1, 0};
  if (!sweep_event_ || event_add(sweep_event_, &second) != 0) {
    release();
    throw std::runtime_error("metrics_listen " + where_.to_string() +
                             ": cannot set up the HTTP server");
  }
  evhttp_set_timeout(http_, 5);  // seconds: a client that stalls is dropped
  evhttp_set_max_headers_size(http_, kMaxHeaderBytes);
  evhttp_set_max_body_size(http_, 0);
  evhttp_set_allowed_methods(http_, EVHTTP_REQ_GET);
  evhttp_set_bevcb(http_, &MetricsServer::on_connection, this);
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
  if (sweep_event_) event_free(sweep_event_);
  if (http_) evhttp_free(http_);
  sweep(true);  // after evhttp_free: our references are the last ones
  if (base_) event_base_free(base_);
  if (stop_fd_ >= 0) close(stop_fd_);
  stop_event_ = nullptr;
  sweep_event_ = nullptr;
  http_ = nullptr;
  base_ = nullptr;
  stop_fd_ = -1;
}

void MetricsServer::on_stop(int, short, void* self) {
  event_base_loopbreak(static_cast<MetricsServer*>(self)->base_);
}

bufferevent* MetricsServer::on_connection(event_base* base, void* self_ptr) {
  auto* self = static_cast<MetricsServer*>(self_ptr);
  bufferevent* bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
  if (bev == nullptr) return nullptr;  // evhttp makes one of its own
  // evhttp refuses headers past kMaxHeaderBytes, but only after reading what the client sent
  // into memory: past twice that, reading pauses (the client waits on a full socket).
  bufferevent_setwatermark(bev, EV_READ, 0, 2 * kMaxHeaderBytes);
  bufferevent_incref(bev);
  self->forget_closed();
  const bool over_cap = self->connections_.size() >= kMaxConnections;
  const auto now = std::chrono::steady_clock::now();
  self->connections_.push_back({bev, over_cap ? now : now + kConnectionLifetime});
  // evhttp gives the bufferevent its socket once we return: end it on the next turn.
  // (A one-shot event: activating the periodic one by hand stops its timer.)
  const timeval now_tv{0, 0};
  if (over_cap) event_base_once(base, -1, EV_TIMEOUT, &MetricsServer::on_sweep, self, &now_tv);
  return bev;
}

void MetricsServer::on_sweep(int, short, void* self) {
  static_cast<MetricsServer*>(self)->sweep(false);
}

void MetricsServer::forget_closed() {
  for (auto it = connections_.begin(); it != connections_.end();) {
    // bufferevent_free (evhttp done with the connection) clears every callback.
    bufferevent_data_cb read = nullptr, write = nullptr;
    bufferevent_event_cb events = nullptr;
    bufferevent_getcb(it->bev, &read, &write, &events, nullptr);
    if (read || write || events) {
      ++it;
      continue;
    }
    bufferevent_decref(it->bev);
    it = connections_.erase(it);
  }
}

void MetricsServer::sweep(bool all) {
  if (!all) forget_closed();
  const auto now = std::chrono::steady_clock::now();
  for (auto it = connections_.begin(); it != connections_.end();) {
    if (!all && it->deadline > now) {
      ++it;
      continue;
    }
    // Our reference keeps the socket open: shutdown reaches this connection, never a reused
    // descriptor. evhttp sees the end and frees its side; the last reference closes it.
    if (const auto fd = bufferevent_getfd(it->bev); fd >= 0) shutdown(fd, SHUT_RDWR);
    bufferevent_decref(it->bev);
    it = connections_.erase(it);
  }
}

void MetricsServer::on_request(evhttp_request* request, void* self_ptr) {
  // An exception must not cross libevent's C frames (std::terminate): answer 500 instead.
  try {
    respond(request, static_cast<MetricsServer*>(self_ptr));
  } catch (const std::exception&) {
    evhttp_send_error(request, HTTP_INTERNAL, nullptr);
  }
}

void MetricsServer::respond(evhttp_request* request, MetricsServer* self) {
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
          [&](const std::string& text) {
            const auto status = nlohmann::json::parse(text, nullptr, false);
            if (auto why = metrics::incomplete(status); !why.empty()) {
              http_status = 503;
              body = why + "\n";
              return;
            }
            body = metrics::exposition(status, REDKEEP_VERSION);
          },
          [&](caf::error& err) {
            http_status = 503;
            body = "the daemon did not answer: " + caf::to_string(err) + "\n";
          });
  return body;
}

}  // namespace redkeep::actors
