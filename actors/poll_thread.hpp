#pragma once
// A helper thread for an actor's blocking reads (raw socket, netlink
// notifications, Redis connection watch): blocking calls must not run on
// CAF's shared scheduler, so they run here and post messages to the actor.

#include <pthread.h>

#include <atomic>
#include <functional>
#include <thread>

namespace redkeep::actors {

/// Names the calling thread as `ps -L`, `top -H` and /proc/PID/task/TID/comm show it (at most
/// 15 bytes: "rk-" and the actor or job). A thread otherwise inherits its creator's name.
inline void name_this_thread(const char* name) { pthread_setname_np(pthread_self(), name); }

/// Runs `loop(stop)` on its own thread; the loop must return soon after
/// `stop` turns true (poll with a timeout of at most ~200 ms). The destructor
/// sets `stop` and joins, so an actor's state can own one.
class PollThread {
 public:
  PollThread() = default;
  /// `name`: the thread's name (name_this_thread), a string literal.
  PollThread(const char* name, std::function<void(const std::atomic<bool>& stop)> loop)
      : thread_([this, name, loop = std::move(loop)] {
          name_this_thread(name);
          loop(stop_);
        }) {}
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
