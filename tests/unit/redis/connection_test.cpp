#include "redis/connection.hpp"

#include <poll.h>

#include <catch2/catch.hpp>

#include "redis/operations.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/unit/redis/live.hpp"

using namespace redkeep::redis;
using namespace std::chrono_literals;
using redkeep::redis::testing::connect;
using redkeep::redis::testing::eventually;
using redkeep::test::RedisServer;

namespace {

std::string name_of(Connection& c) {
  auto r = c.command({"CLIENT", "GETNAME"});
  if (!r) return "<" + r.error().message + ">";
  return std::string(r.value().text().value_or("<not text>"));
}

}  // namespace

TEST_CASE("Connection: PING answers PONG and the connection carries its name",
          "[redis][connection]") {
  RedisServer server;
  auto conn = connect(server, "redkeep-health");
  REQUIRE(conn);
  CHECK(conn.value().fd() >= 0);
  CHECK(ping(conn.value()).ok());
  CHECK(name_of(conn.value()) == "redkeep-health");
  // Binary-safe arguments and reply types come through the Reply tree.
  auto set = conn.value().command({"SET", "k", std::string("a\0b", 3)});
  REQUIRE(set);
  CHECK(set.value().type == Reply::Type::status);
  auto get = conn.value().command({"GET", "k"});
  REQUIRE(get);
  CHECK(get.value().str == std::string("a\0b", 3));
  auto missing = conn.value().command({"GET", "nope"});
  REQUIRE(missing);
  CHECK(missing.value().type == Reply::Type::nil);
  auto err = conn.value().command({"INCR", "k"});
  REQUIRE_FALSE(err);
  CHECK(err.failure() == Failure::other);
  CHECK_FALSE(conn.value().is_broken());  // an error reply leaves the connection usable
}

TEST_CASE("Connection: a server that is down is refused at once", "[redis][connection]") {
  RedisServer server;
  server.kill9();
  const auto start = std::chrono::steady_clock::now();
  auto conn = Connection::open(server.host(), server.port(), 2000ms, 1000ms, {},
                               "redkeep-health");
  const auto elapsed = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(conn);
  CHECK(conn.failure() == Failure::refused);
  CHECK(elapsed < 200ms);
}

TEST_CASE("Connection: the server going away is seen without a command, then as closed",
          "[redis][connection]") {
  RedisServer server;
  auto conn = connect(server);
  REQUIRE(conn);
  Connection& c = conn.value();
  CHECK_FALSE(c.peer_closed());
  const int fd = c.fd();
  server.kill9();
  pollfd p{fd, POLLIN, 0};
  REQUIRE(::poll(&p, 1, 2000) == 1);  // bounded: the kernel sends FIN when the process dies
  CHECK(c.peer_closed());
  CHECK(c.is_broken());
  CHECK(c.fd() == -1);
  auto r = c.command({"PING"});
  REQUIRE_FALSE(r);
  CHECK(r.failure() == Failure::closed);
}

TEST_CASE("Connection: a command on a connection the server dropped fails as closed",
          "[redis][connection]") {
  RedisServer server;
  auto conn = connect(server);
  REQUIRE(conn);
  server.kill9();
  auto r = conn.value().command({"PING"});
  REQUIRE_FALSE(r);
  CHECK(r.failure() == Failure::closed);
  CHECK(conn.value().is_broken());
}

TEST_CASE("Connection: requirepass and ACL users", "[redis][connection][auth]") {
  const std::string secret = "s3cr3t-pw";
  RedisServer::Options options;
  options.requirepass = secret;
  RedisServer server(options);

  SECTION("right password") {
    auto conn = connect(server, "redkeep-test", 1000ms, std::nullopt, secret);
    REQUIRE(conn);
    CHECK(ping(conn.value()).ok());
  }
  SECTION("right password for the ACL user default") {
    auto conn = connect(server, "redkeep-test", 1000ms, std::string("default"), secret);
    REQUIRE(conn);
    CHECK(ping(conn.value()).ok());
  }
  SECTION("wrong password is an auth failure that does not echo the password") {
    const std::string wrong = "not-the-password-xyz";
    auto conn = connect(server, "redkeep-test", 1000ms, std::nullopt, wrong);
    REQUIRE_FALSE(conn);
    CHECK(conn.failure() == Failure::auth);
    CHECK(conn.error().message.find(wrong) == std::string::npos);
    CHECK(conn.error().message.find("WRONGPASS") != std::string::npos);
  }
  SECTION("unknown ACL user") {
    auto conn = connect(server, "redkeep-test", 1000ms, std::string("nobody"), secret);
    REQUIRE_FALSE(conn);
    CHECK(conn.failure() == Failure::auth);
    CHECK(conn.error().message.find(secret) == std::string::npos);
  }
  SECTION("no password configured: NOAUTH on the first command") {
    auto conn = connect(server);
    REQUIRE_FALSE(conn);
    CHECK(conn.failure() == Failure::auth);
  }
}

TEST_CASE("Connection: a password sent to a Redis without one is an auth failure",
          "[redis][connection][auth]") {
  RedisServer server;
  auto conn = connect(server, "redkeep-test", 1000ms, std::nullopt, std::string("pw-123"));
  REQUIRE_FALSE(conn);
  CHECK(conn.failure() == Failure::auth);
  CHECK(conn.error().message.find("pw-123") == std::string::npos);
}

TEST_CASE("Connection: a long Lua script makes others see BUSY", "[redis][connection][busy]") {
  RedisServer::Options options;
  options.extra_args = {"--busy-reply-threshold", "50"};
  RedisServer server(options);
  auto observer = connect(server, "redkeep-health", 1000ms);
  REQUIRE(observer);
  auto runner = connect(server, "app-script", 150ms);
  REQUIRE(runner);

  // The runner's own call outlives its timeout; the script keeps running in Redis.
  auto eval = runner.value().command({"EVAL", "while true do end", "0"});
  REQUIRE_FALSE(eval);
  CHECK(eval.failure() == Failure::timeout);

  // 150 ms > busy-reply-threshold: every other command now gets -BUSY.
  auto busy = ping(observer.value());
  REQUIRE_FALSE(busy);
  CHECK(busy.failure() == Failure::busy);

  // A reconnect in the middle of it fails the same way (CLIENT SETNAME gets -BUSY).
  auto late = connect(server, "redkeep-health", 1000ms);
  REQUIRE_FALSE(late);
  CHECK(late.failure() == Failure::busy);

  REQUIRE(observer.value().command({"SCRIPT", "KILL"}));
  CHECK(eventually([&] { return ping(observer.value()).ok(); }, 2000ms));
}

TEST_CASE("Connection: a command slower than the command timeout times out",
          "[redis][connection][timeout]") {
  RedisServer::Options options;
  options.extra_args = {"--enable-debug-command", "yes"};
  RedisServer server(options);
  auto conn = connect(server, "redkeep-health", 100ms);
  REQUIRE(conn);
  const auto start = std::chrono::steady_clock::now();
  auto r = conn.value().command({"DEBUG", "SLEEP", "0.6"});
  const auto elapsed = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(r);
  CHECK(r.failure() == Failure::timeout);
  CHECK(elapsed >= 90ms);
  CHECK(elapsed < 450ms);
  // The late reply must never be taken for the next command's: the connection is done.
  CHECK(conn.value().is_broken());
  auto next = conn.value().command({"PING"});
  REQUIRE_FALSE(next);
  CHECK(next.failure() == Failure::closed);
  server.kill9();  // do not wait for the sleep to end
}
