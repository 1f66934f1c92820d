#include "actors/redis_health.hpp"

#include <spdlog/spdlog.h>

#include <fstream>
#include <memory>

#include "actors/crash_reason.hpp"
#include "actors/messages.hpp"
#include "actors/poll_thread.hpp"
#include "net/io.hpp"
#include "redis/connection.hpp"
#include "redis/health_tracker.hpp"
#include "redis/operations.hpp"

namespace redkeep::actors {

std::optional<std::string> redis_password(const config::RedisSettings& settings) {
  if (settings.password) return settings.password->reveal();
  if (!settings.password_file) return std::nullopt;
  std::ifstream in(*settings.password_file);
  std::string line;
  if (!in || !std::getline(in, line))
    throw std::runtime_error("cannot read Redis password_file " + *settings.password_file);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

namespace {

using Clock = std::chrono::steady_clock;

struct RedisHealthState {
  InstanceContext ctx;
  Wiring wiring;
  std::unique_ptr<PollThread> checker;
  static inline const char* name = "redis_health";
};

using Self = caf::stateful_actor<RedisHealthState>;

/// Fills the Redis view of a report from INFO.
void read_info(redis::Connection& conn, RedisHealth& report) {
  auto info = redis::info(conn, {"replication", "server"});
  if (!info) return;
  auto repl = redis::parse_replication_info(info.value());
  auto server = redis::parse_server_info(info.value());
  report.role = repl.role == redis::InfoRole::master    ? "master"
                : repl.role == redis::InfoRole::replica ? "slave"
                                                        : "";
  report.master_host = repl.master_host.value_or("");
  report.master_port = static_cast<std::uint16_t>(repl.master_port.value_or(0));
  if (repl.master_link_status)
    report.master_link_status = *repl.master_link_status == redis::LinkStatus::up ? "up" : "down";
  report.repl_offset = repl.master_repl_offset.value_or(-1);
  report.replid = repl.master_replid;
  report.run_id = server.run_id;
  report.connected_replicas = static_cast<std::uint32_t>(repl.connected_slaves.value_or(0));
}

/// The check loop: fixed-rate checks, and between them a watch on the idle
/// connection so a closed one is reopened (and a refusal noticed) at once.
void check_loop(caf::actor me, InstanceContext ctx, const std::atomic<bool>& stop) {
  const auto& rs = *ctx.instance.redis;
  const auto tag = ctx.tag();
  std::optional<std::string> password;
  try {
    password = redis_password(rs);
  } catch (const std::exception& e) {
    spdlog::error("{} Configuration error: {}", tag, e.what());
    RedisHealth r;
    r.config_error = true;
    r.last_result = "Failed (password_file unreadable)";
    caf::anon_send(me, r);
    return;
  }
  redis::HealthTracker tracker(rs.fall, rs.rise);
  std::unique_ptr<redis::Connection> conn;
  std::string last_logged;
  bool config_error_logged = false;
  auto next_check = Clock::now();

  auto report = [&](redis::CheckOutcome outcome, const std::string& text, RedisHealth r) {
    bool changed = tracker.record(outcome);
    r.healthy = tracker.healthy();
    r.eligible = tracker.eligible();
    r.config_error = tracker.config_error();
    r.last_result = text;
    if (outcome == redis::CheckOutcome::config_error) {
      if (!config_error_logged)
        spdlog::error("{} PING -> {}: configuration error: check the redis password / user",
                      tag, text);
      config_error_logged = true;
    } else if (text != last_logged || outcome != redis::CheckOutcome::pong) {
      // Log changes and every failure; a steady PONG is logged once.
      spdlog::log(outcome == redis::CheckOutcome::pong ? spdlog::level::info : spdlog::level::warn,
                  "{} PING -> {}", tag, text);
      config_error_logged = false;
    }
    last_logged = text;
    if (changed)
      spdlog::log(tracker.healthy() ? spdlog::level::info : spdlog::level::err,
                  "{} Redis {} is {}", tag, rs.host + ":" + std::to_string(rs.port),
                  tracker.healthy() ? "healthy" : "FAILED");
    caf::anon_send(me, r);
  };

  auto fail = [&](const redis::Error& e) {
    auto outcome = redis::outcome_of(e.failure);
    std::string text = outcome == redis::CheckOutcome::loading
                           ? "LOADING"
                           : "Failed (" + std::string(redis::to_string(e.failure)) + ")";
    if (outcome == redis::CheckOutcome::failure || outcome == redis::CheckOutcome::down)
      text = "Failed (" + e.message + ")";
    report(outcome, text, RedisHealth{});
  };

  // `after_close`: the server just closed our connection. If it cannot be
  // reopened at once, Redis is going down: a failure now, not after `fall`.
  auto connect = [&](bool after_close) -> bool {
    auto c = redis::Connection::open(rs.host, rs.port, rs.check_timeout, rs.check_timeout,
                                     rs.user, password, "redkeep-health");
    if (!c) {
      auto e = c.error();
      if (after_close && (e.failure == redis::Failure::closed || e.failure == redis::Failure::io))
        e.failure = redis::Failure::refused;
      fail(e);
      return false;
    }
    conn = std::make_unique<redis::Connection>(std::move(c.value()));
    return true;
  };

  while (!stop) {
    auto now = Clock::now();
    if (now < next_check) {
      // Idle: watch the connection. Readable with no command outstanding
      // means the server closed it: reopen at once.
      auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_check - now);
      int wait_ms = static_cast<int>(std::min<std::int64_t>(wait.count() + 1, 200));
      if (conn && !conn->is_broken()) {
        auto readable = net::wait_readable(conn->fd(), wait_ms);
        if (readable && *readable && conn->peer_closed()) {
          spdlog::warn("{} Connection to Redis closed by the server; reconnecting", tag);
          conn.reset();
          if (connect(true)) continue;
        }
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
      }
      continue;
    }
    next_check += rs.check_interval;
    if (next_check < Clock::now()) next_check = Clock::now() + rs.check_interval;
    if (!conn || conn->is_broken()) {
      conn.reset();
      if (!connect(false)) continue;
    }
    auto pong = redis::ping(*conn);
    if (!pong) {
      fail(pong.error());
      continue;
    }
    RedisHealth r;
    read_info(*conn, r);
    report(redis::CheckOutcome::pong, "PONG", r);
  }
}

caf::behavior redis_health(Self* self, InstanceContext ctx) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  self->set_exception_handler(crash_handler("redis_health" + st.ctx.tag()));
  auto me = caf::actor_cast<caf::actor>(self);
  st.checker = std::make_unique<PollThread>(
      [me, c = st.ctx](const std::atomic<bool>& stop) { check_loop(me, c, stop); });
  return {
      [self](const Wiring& w) { self->state.wiring = w; },
      [self](const RedisHealth& h) {
        if (self->state.wiring.election) self->send(self->state.wiring.election, h);
      },
      [self](crash_atom) -> caf::result<void> {
        throw std::runtime_error("crash requested by test hook");
      },
  };
}

}  // namespace

caf::actor spawn_redis_health(caf::local_actor* parent, const InstanceContext& ctx) {
  return parent->spawn<caf::detached>(redis_health, ctx);
}

}  // namespace redkeep::actors
