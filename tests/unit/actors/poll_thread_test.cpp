// Helper threads: a joined loop has finished when its PollThread is gone; a released one has
// not (its owner does not wait for a round that blocks), stops on its own, and
// join_released_threads waits for it.
#include "actors/poll_thread.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <thread>

using redkeep::actors::PollThread;

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
