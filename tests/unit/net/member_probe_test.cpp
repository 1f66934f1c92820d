// MemberProber against real redis-servers, sockets that refuse or never answer, and a member
// cut off at the network level (a veth link taken down, in namespaces of the test's own).
#include "net/member_probe.hpp"

#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../support/netns.hpp"
#include "../../support/redis_server.hpp"

using namespace redkeep;
using namespace std::chrono_literals;

namespace {

net::RedisEndpoint endpoint(const char* address, int port) {
  return {*net::IpAddress::parse(address), static_cast<std::uint16_t>(port)};
}

/// A TCP listener on all addresses that accepts (in the kernel backlog) and never answers:
/// a member whose Redis is stuck. Create it inside a namespace with NetNs::run to listen there.
struct SilentListener {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  int port = 0;
  SilentListener() {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    socklen_t len = sizeof a;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 8) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      throw std::runtime_error("listener failed");
    port = ntohs(a.sin_port);
  }
  ~SilentListener() { ::close(fd); }
};

}  // namespace

TEST_CASE("a member probe reaches every member whose node answers: a reply, NOAUTH, a stuck "
          "Redis whose kernel acknowledges, a refused connection",
          "[net][member_probe]") {
  test::RedisServer open;
  test::RedisServer::Options with_password;
  with_password.requirepass = "probe-secret";
  test::RedisServer locked(with_password);
  SilentListener stuck;
  test::RedisServer gone;
  const int gone_port = gone.port();
  gone.kill9();
  net::MemberProber prober;
  prober.set_members({endpoint("127.0.0.1", open.port()), endpoint("127.0.0.1", locked.port()),
                      endpoint("127.0.0.1", stuck.port), endpoint("127.0.0.1", gone_port)});
  CHECK(prober.round(300ms) == 4);
  // Kept connections (and fresh ones where the last round closed them): the same again.
  CHECK(prober.round(300ms) == 4);
  // A Redis stopped under a kept connection: its kernel still acknowledges our PING.
  ::kill(open.pid(), SIGSTOP);
  CHECK(prober.round(300ms) == 4);
  ::kill(open.pid(), SIGCONT);
  CHECK(prober.round(300ms) == 4);
  // The VIP watch of a held takeover: a refused connection is a Redis that no longer serves.
  net::MemberProber vip_watch(/*refused_is_reached=*/false);
  vip_watch.set_members({endpoint("127.0.0.1", gone_port)});
  CHECK(vip_watch.round(300ms) == 0);
  vip_watch.set_members({endpoint("127.0.0.1", stuck.port)});
  CHECK(vip_watch.round(300ms) == 1);
}

TEST_CASE("a member probe reaches a member over IPv6, and not a closed IPv6 port",
          "[net][member_probe]") {
  test::RedisServer::Options dual;
  dual.extra_args = {"--bind", "127.0.0.1", "::1"};
  test::RedisServer redis(dual);
  test::RedisServer gone;
  const int gone_port = gone.port();
  gone.kill9();
  net::MemberProber prober;
  prober.set_members({endpoint("::1", redis.port())});
  CHECK(prober.round(300ms) == 1);
  CHECK(prober.round(300ms) == 1);  // the kept connection
  net::MemberProber vip_watch(/*refused_is_reached=*/false);
  vip_watch.set_members({endpoint("::1", gone_port)});
  CHECK(vip_watch.round(300ms) == 0);
}

TEST_CASE("a member cut off at the network level is not reached, and is again once back",
          "[net][member_probe]") {
  test::VethLab lab;
  lab.a.ip("link set lo up");
  auto listener = lab.b.run([] { return std::make_shared<SilentListener>(); });
  net::MemberProber prober;
  prober.set_members({endpoint("192.0.2.2", listener->port)});
  CHECK(lab.a.run([&] { return prober.round(300ms); }) == 1);  // kept connection opened
  lab.b.ip("link set veth1 down");
  CHECK(lab.a.run([&] { return prober.round(300ms); }) == 0);  // PING never acknowledged
  CHECK(lab.a.run([&] { return prober.round(300ms); }) == 0);  // nor a new connection
  lab.b.ip("link set veth1 up");
  const bool back = test::eventually(
      [&] { return lab.a.run([&] { return prober.round(300ms); }) == 1; }, 5000);
  CHECK(back);
}

TEST_CASE("a member probe round reports the first member reached at once, not after the slowest",
          "[net][member_probe]") {
  test::VethLab lab;
  lab.a.ip("link set lo up");
  lab.b.ip("link set veth1 down");  // 192.0.2.2 cut off
  net::MemberProber prober;
  // Nothing listens on port 1 of a's loopback: refused at once.
  prober.set_members({endpoint("192.0.2.2", 6379), endpoint("127.0.0.1", 1)});
  std::chrono::steady_clock::duration first{};
  const std::size_t reached = lab.a.run([&] {
    const auto start = std::chrono::steady_clock::now();
    return prober.round(2000ms, [&] { first = std::chrono::steady_clock::now() - start; });
  });
  CHECK(reached == 1);
  CHECK(first > std::chrono::steady_clock::duration::zero());
  CHECK(first < 1000ms);  // the cut-off member holds the round (2 s), not the verdict
}
