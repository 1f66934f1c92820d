// The node's read loop: a readable fd calls its handler on the loop's thread, a dropped Watch
// is never called again (and waits for a call in progress), a handler may drop its own, a
// throwing handler is dropped without stopping the others, and stop() ends run().
#include "net/reactor.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "net/event_fds.hpp"
#include "tests/support/netns.hpp"

using redkeep::net::EventFd;
using redkeep::net::Reactor;
using redkeep::test::eventually;

namespace {

/// A reactor whose loop runs on a thread of the test's, stopped and joined at the end.
struct Running {
  Reactor reactor;
  std::thread thread;
  Running() {
    reactor.claim_thread();
    thread = std::thread([this] { reactor.run(); });
  }
  ~Running() {
    reactor.stop();
    thread.join();
  }
};

}  // namespace

TEST_CASE("Reactor: a readable fd calls its handler on the loop's thread until drained",
          "[net][reactor]") {
  Running r;
  EventFd fd;
  std::atomic<int> calls{0};
  std::thread::id on;
  auto watch = r.reactor.watch(fd.fd(), [&] {
    on = std::this_thread::get_id();
    fd.drain();
    ++calls;
  });
  fd.signal();
  REQUIRE(eventually([&] { return calls == 1; }));
  CHECK(on == r.thread.get_id());
  fd.signal();
  REQUIRE(eventually([&] { return calls == 2; }));
}

TEST_CASE("Reactor: a dropped Watch waits for its running call and is never called again",
          "[net][reactor]") {
  Running r;
  EventFd fd;
  std::atomic<bool> inside{false};
  std::atomic<bool> finished{false};
  std::atomic<int> calls{0};
  auto watch = r.reactor.watch(fd.fd(), [&] {
    ++calls;
    inside = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    fd.drain();
    finished = true;
  });
  fd.signal();
  REQUIRE(eventually([&] { return inside.load(); }));
  watch.reset();
  CHECK(finished);  // reset() returned only after the call did
  fd.signal();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(calls == 1);
}

TEST_CASE("Reactor: a handler that throws is dropped, the others still run", "[net][reactor]") {
  Reactor reactor;
  reactor.claim_thread();
  EventFd bad;
  EventFd good;
  int bad_calls = 0;
  int good_calls = 0;
  std::string error;
  auto w1 = reactor.watch(bad.fd(), [&] {
    ++bad_calls;
    throw std::runtime_error("boom");
  });
  auto w2 = reactor.watch(good.fd(), [&] {
    good.drain();
    if (++good_calls == 2) reactor.stop();
  });
  bad.signal();
  good.signal();
  std::thread again([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    good.signal();
  });
  reactor.run([&](const std::string& e) { error = e; });  // returns at the second good call
  again.join();
  CHECK(bad_calls == 1);  // still readable, yet dropped
  CHECK(good_calls == 2);
  CHECK(error == "boom");
}

TEST_CASE("Reactor: without a claimed thread the first watch starts its own loop",
          "[net][reactor]") {
  Reactor reactor;
  EventFd fd;
  std::atomic<bool> called{false};
  std::thread::id on;
  auto watch = reactor.watch(fd.fd(), [&] {
    on = std::this_thread::get_id();
    fd.drain();
    called = true;
  });
  fd.signal();
  REQUIRE(eventually([&] { return called.load(); }));
  CHECK(on != std::this_thread::get_id());
}

TEST_CASE("Reactor: watching a closed fd throws", "[net][reactor]") {
  Reactor reactor;
  reactor.claim_thread();
  int fds[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
  ::close(fds[0]);
  ::close(fds[1]);
  CHECK_THROWS_AS(reactor.watch(fds[0], [] {}), std::system_error);
}

TEST_CASE("Reactor: a handler may drop its own Watch", "[net][reactor]") {
  Running r;
  EventFd fd;
  std::atomic<int> calls{0};
  Reactor::Watch watch;
  std::mutex m;
  {
    std::lock_guard<std::mutex> lock(m);
    watch = r.reactor.watch(fd.fd(), [&] {
      std::lock_guard<std::mutex> lock(m);
      ++calls;
      watch.reset();  // not drained: only the reset stops further calls
    });
  }
  fd.signal();
  REQUIRE(eventually([&] { return calls == 1; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(calls == 1);
}
