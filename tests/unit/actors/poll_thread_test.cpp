// Helper threads: a joined loop has finished when its PollThread is gone; a released one has
// not (its owner does not wait for a round that blocks), stops on its own, and
// join_released_threads waits for it. A LazyLane has a thread only while it has work.
#include "actors/poll_thread.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/netns.hpp"

using redkeep::actors::PollThread;
using redkeep::test::eventually;

namespace {

/// A loop that takes 200 ms to notice its stop flag, then says it ended.
auto slow_loop(std::shared_ptr<std::atomic<bool>> ended) {
  return [ended](const std::atomic<bool>& stop) {
    while (!stop) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    *ended = true;
  };
}

}  // namespace

TEST_CASE("PollThread: the destructor joins by default", "[actors][poll_thread]") {
  auto ended = std::make_shared<std::atomic<bool>>(false);
  { PollThread t("rk-test", slow_loop(ended)); }
  CHECK(*ended);
}

TEST_CASE("PollThread: a released loop stops on its own and is joined at exit",
          "[actors][poll_thread]") {
  auto ended = std::make_shared<std::atomic<bool>>(false);
  const auto before = std::chrono::steady_clock::now();
  { PollThread t("rk-test", slow_loop(ended), PollThread::Ending::release); }
  CHECK(std::chrono::steady_clock::now() - before < std::chrono::milliseconds(150));
  CHECK_FALSE(*ended);
  redkeep::actors::join_released_threads();
  CHECK(*ended);
}

namespace {

/// Threads of this process named `name` (/proc/self/task/*/comm).
int threads_named(const std::string& name) {
  int n = 0;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string line;
    if (std::getline(comm, line) && line == name) ++n;
  }
  return n;
}

}  // namespace

TEST_CASE("LazyLane: tasks run in order on one thread, which ends once idle",
          "[actors][poll_thread]") {
  auto order = std::make_shared<std::vector<int>>();
  auto mutex = std::make_shared<std::mutex>();
  {
    redkeep::actors::LazyLane lane("rk-test-lane", {});
    CHECK(threads_named("rk-test-lane") == 0);  // nothing posted: no thread
    for (int i = 0; i < 50; ++i)
      lane.post([order, mutex, i] {
        std::lock_guard<std::mutex> lock(*mutex);
        order->push_back(i);
      });
    REQUIRE(eventually([&] {
      std::lock_guard<std::mutex> lock(*mutex);
      return order->size() == 50;
    }));
    CHECK(threads_named("rk-test-lane") == 1);  // lingers a while for the next task
    REQUIRE(eventually([] { return threads_named("rk-test-lane") == 0; }));
    lane.post([order, mutex] {
      std::lock_guard<std::mutex> lock(*mutex);
      order->push_back(50);
    });
    REQUIRE(eventually([&] {
      std::lock_guard<std::mutex> lock(*mutex);
      return order->size() == 51;
    }));
  }
  std::vector<int> expected(51);
  for (int i = 0; i < 51; ++i) expected[i] = i;
  CHECK(*order == expected);
  REQUIRE(eventually([] { return threads_named("rk-test-lane") == 0; }, 500));  // closed: no linger
}

TEST_CASE("LazyLane: finish_with drops the waiting tasks and runs last",
          "[actors][poll_thread]") {
  auto ran = std::make_shared<std::vector<std::string>>();
  auto mutex = std::make_shared<std::mutex>();
  auto record = [ran, mutex](std::string what) {
    return [ran, mutex, what] {
      std::lock_guard<std::mutex> lock(*mutex);
      ran->push_back(what);
    };
  };
  auto release = std::make_shared<std::atomic<bool>>(false);
  auto blocking = std::make_shared<std::atomic<bool>>(false);
  {
    redkeep::actors::LazyLane lane("rk-test-lane2", {});
    lane.post(record("first"));
    lane.post([release, blocking] {
      *blocking = true;
      while (!*release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    });
    lane.post(record("dropped"));
    REQUIRE(eventually([&] { return blocking->load(); }));
    lane.finish_with(record("last"));
    lane.post(record("ignored"));
    *release = true;
  }
  REQUIRE(eventually([&] {
    std::lock_guard<std::mutex> lock(*mutex);
    return ran->size() == 2;
  }));
  redkeep::actors::join_released_threads();
  CHECK(*ran == std::vector<std::string>{"first", "last"});
}

TEST_CASE("LazyLane: a task that throws closes the lane and reports its text",
          "[actors][poll_thread]") {
  auto ran = std::make_shared<std::atomic<int>>(0);
  auto errors = std::make_shared<std::vector<std::string>>();
  auto mutex = std::make_shared<std::mutex>();
  redkeep::actors::LazyLane lane("rk-test-lane3", [errors, mutex](const std::string& e) {
    std::lock_guard<std::mutex> lock(*mutex);
    errors->push_back(e);
  });
  lane.post([] { throw std::runtime_error("boom"); });
  lane.post([ran] { ++*ran; });  // queued behind the throw: dropped
  REQUIRE(eventually([&] {
    std::lock_guard<std::mutex> lock(*mutex);
    return !errors->empty();
  }));
  lane.post([ran] { ++*ran; });  // after it: ignored
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(*ran == 0);
  std::lock_guard<std::mutex> lock(*mutex);
  CHECK(*errors == std::vector<std::string>{"boom"});
}

TEST_CASE("LazyLane: close_and_wait drops the waiting tasks and waits for the running one",
          "[actors][poll_thread]") {
  std::atomic<int> ran{0};
  std::atomic<bool> started{false};
  redkeep::actors::LazyLane lane("rk-test-lane4", {});
  lane.post([&] {
    started = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    ++ran;
  });
  lane.post([&] { ++ran; });  // waiting: dropped
  REQUIRE(eventually([&] { return started.load(); }));
  lane.close_and_wait();
  CHECK(ran == 1);  // the running one finished before close_and_wait returned
  lane.post([&] { ++ran; });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(ran == 1);
}
