#pragma once
// A helper thread for an actor's blocking reads (raw socket, netlink
// notifications, Redis connection watch): blocking calls must not run on
// CAF's shared scheduler, so they run here and post messages to the actor.

#include <atomic>
#include <functional>
#include <thread>

namespace redkeep::actors {

/// Runs `loop(stop)` on its own thread; the loop must return soon after
/// `stop` turns true (poll with a timeout of at most ~200 ms). The destructor
/// sets `stop` and joins, so an actor's state can own one.
class PollThread {
 public:
  PollThread() = default;
  explicit PollThread(std::function<void(const std::atomic<bool>& stop)> loop)
      : thread_([this, loop = std::move(loop)] { loop(stop_); }) {}
  ~PollThread() { join(); }
  PollThread(const PollThread&) = delete;
  PollThread& operator=(const PollThread&) = delete;

  /// Asks the loop to stop and waits for it.
  void join() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;  // last: started after stop_ exists
};

}  // namespace redkeep::actors
