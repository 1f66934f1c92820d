#pragma once
// Shared helpers for the tests that talk to a real redis-server.

#include <chrono>
#include <optional>
#include <string>
#include <thread>

#include "redis/connection.hpp"
#include "tests/support/redis_server.hpp"

namespace redkeep::redis::testing {

using namespace std::chrono_literals;

inline Result<Connection> connect(const redkeep::test::RedisServer& server,
                                  const std::string& name = "redkeep-test",
                                  std::chrono::milliseconds command_timeout = 1000ms,
                                  const std::optional<std::string>& user = std::nullopt,
                                  const std::optional<std::string>& password = std::nullopt) {
  return Connection::open(server.host(), server.port(), 1000ms, command_timeout, user, password,
                          name);
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

}  // namespace redkeep::redis::testing
