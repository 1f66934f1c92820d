#pragma once
// Shared helpers for the tests that talk to a real redis-server.

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

#include "redis/connection.hpp"
#include "redis/operations.hpp"
#include "redis/sync_gate.hpp"
#include "tests/support/redis_server.hpp"

namespace redkeep::redis::testing {

using namespace std::chrono_literals;

inline Result<Connection> connect(const redkeep::test::RedisServer& server,
                                  const std::string& name = "redkeep-test",
                                  std::chrono::milliseconds command_timeout = 1000ms,
                                  const std::optional<std::string>& user = std::nullopt,
                                  const std::optional<std::string>& password = std::nullopt,
                                  const CommandRenames& renames = {}) {
  return Connection::open(server.host(), server.port(), 1000ms, command_timeout,
                          Access{user, password, renames}, name);
}

/// A connection to `server`; throws (a test failure) when it cannot be opened.
inline Connection must_connect(const redkeep::test::RedisServer& server,
                               const std::string& name = "redkeep-test") {
  auto c = connect(server, name);
  if (!c) throw std::runtime_error("connect: " + c.error().message);
  return std::move(c).value();
}

/// Polls `pred` every 5 ms until it holds or `limit` has passed; returns its last value.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = 3000ms) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (true) {
    if (pred()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
}

/// The gate's permit for `own` to follow the Redis at 127.0.0.1:port, judged on its real INFO
/// (the tests' replicas are empty, and an empty Redis may always follow). Throws on refusal.
inline SyncPermit permit_to(Connection& own, int port) {
  SyncRequest request;
  if (auto mine = info(own, {"replication", "keyspace", "persistence"})) request.mine = mine.value();
  request.parties = {"127.0.0.1", port, "127.0.0.1", 0};
  auto verdict = judge_sync(request);
  if (!verdict.permit) throw std::runtime_error("the sync gate refused: " + verdict.refusal);
  return std::move(*verdict.permit);
}

}  // namespace redkeep::redis::testing
