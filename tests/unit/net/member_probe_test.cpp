// MemberProber against real redis-servers and sockets that refuse or never answer.
#include "net/member_probe.hpp"

#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../support/redis_server.hpp"

using namespace redkeep;
using namespace std::chrono_literals;

namespace {

net::RedisEndpoint local(int port) {
  return {*net::IpAddress::parse("127.0.0.1"), static_cast<std::uint16_t>(port)};
}

/// A TCP listener that accepts (in the kernel backlog) and never answers: a stalled member.
struct SilentListener {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  int port = 0;
  SilentListener() {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(fd, 8) == 0);
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    port = ntohs(a.sin_port);
  }
  ~SilentListener() { ::close(fd); }
};

}  // namespace

TEST_CASE("a member probe round counts every Redis that replies, NOAUTH included",
          "[net][member_probe]") {
  test::RedisServer open;
  test::RedisServer::Options with_password;
  with_password.requirepass = "probe-secret";
  test::RedisServer locked(with_password);
  SilentListener silent;
  net::MemberProber prober;
  prober.set_members({local(open.port()), local(locked.port()), local(silent.port)});
  const auto start = std::chrono::steady_clock::now();
  CHECK(prober.round(200ms) == 2);
  // The silent one held the round up to its deadline, no longer.
  CHECK(std::chrono::steady_clock::now() - start < 2s);
  // Kept connections: the next round answers the same.
  CHECK(prober.round(200ms) == 2);
}

TEST_CASE("a member probe finds a Redis that died, stopped or came back", "[net][member_probe]") {
  test::RedisServer server;
  net::MemberProber prober;
  prober.set_members({local(server.port())});
  REQUIRE(prober.round(200ms) == 1);
  ::kill(server.pid(), SIGSTOP);
  CHECK(prober.round(100ms) == 0);
  ::kill(server.pid(), SIGCONT);
  // The stale reply of the timed-out round is never counted: the connection was dropped.
  CHECK(prober.round(500ms) == 1);
  const int port = server.port();
  server.kill9();
  CHECK(prober.round(200ms) == 0);  // refused
  prober.set_members({});
  CHECK(prober.round(200ms) == 0);
}

TEST_CASE("a member probe round reports the first reply at once, not after the slowest",
          "[net][member_probe]") {
  test::RedisServer open;
  SilentListener silent;
  net::MemberProber prober;
  prober.set_members({local(silent.port), local(open.port())});
  const auto start = std::chrono::steady_clock::now();
  std::chrono::steady_clock::duration first{};
  CHECK(prober.round(2000ms, [&] { first = std::chrono::steady_clock::now() - start; }) == 1);
  CHECK(first > std::chrono::steady_clock::duration::zero());
  CHECK(first < 1000ms);  // the silent member holds the round (2 s), not the verdict
}
