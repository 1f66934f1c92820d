#pragma once
// A helper thread for an actor's blocking work (Redis checks, member probes, scripts):
// blocking calls must not run on CAF's shared scheduler, so they run here and post messages
// to the actor.

#include <pthread.h>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace redkeep::actors {

/// Names the calling thread as `ps -L`, `top -H` and /proc/PID/task/TID/comm show it (at most
/// 15 bytes: "rk-" and the actor or job). A thread otherwise inherits its creator's name.
inline void name_this_thread(const char* name) { pthread_setname_np(pthread_self(), name); }

/// Runs `loop(stop)` on its own thread; the loop must return soon after `stop` turns true.
/// The destructor sets `stop`, then joins (Ending::join), or lets the loop finish on its own
/// (Ending::release): a scheduled actor must not wait on a worker for a round that blocks up
/// to its timeout. A released loop may only use what it owns (copies, shared_ptr).
class PollThread {
 public:
  enum class Ending { join, release };

  PollThread() = default;
  /// `name`: the thread's name (name_this_thread), a string literal.
  PollThread(const char* name, std::function<void(const std::atomic<bool>& stop)> loop,
             Ending ending = Ending::join);
  ~PollThread();
  PollThread(const PollThread&) = delete;
  PollThread& operator=(const PollThread&) = delete;

  /// Asks the loop to stop and waits for it.
  void join();

 private:
  std::shared_ptr<std::atomic<bool>> stop_ = std::make_shared<std::atomic<bool>>(false);
  std::shared_ptr<std::atomic<bool>> finished_ = std::make_shared<std::atomic<bool>>(false);
  Ending ending_ = Ending::join;
  std::thread thread_;  // last: started after the flags exist
};

/// Runs tasks one at a time, in order, on a thread that exists only while tasks wait: an actor
/// whose blocking work comes now and then (a role change, a switchover) costs no thread while
/// idle. Tasks must only use what they own (copies, shared_ptr). A task that throws closes the
/// lane (the tasks waiting are dropped, later posts ignored) and its text goes to `on_error`
/// (on the lane's thread).
class LazyLane {
 public:
  /// `name`: the thread's name (name_this_thread), a string literal.
  LazyLane(const char* name, std::function<void(const std::string& error)> on_error);
  /// Drops the waiting tasks; a running one finishes on its own.
  ~LazyLane();
  LazyLane(const LazyLane&) = delete;
  LazyLane& operator=(const LazyLane&) = delete;

  void post(std::function<void()> task);
  /// Drops the waiting tasks, runs `task` last; later posts are ignored.
  void finish_with(std::function<void()> task);
  /// Drops the waiting tasks and waits for the running one (never call it from a task); later
  /// posts are ignored. For an owner whose tasks use it.
  void close_and_wait();

 private:
  struct Queue;
  std::shared_ptr<Queue> queue_;
};

/// Runs a job on a thread of its own, one run at a time; asked again while it runs, it runs
/// once more afterwards (a SIGHUP during a reload: the file may have changed again). The
/// thread exists only during runs.
class RerunThread {
 public:
  /// `name`: the thread's name (name_this_thread), a string literal.
  RerunThread(const char* name, std::function<void()> job);
  ~RerunThread() { close(); }
  RerunThread(const RerunThread&) = delete;
  RerunThread& operator=(const RerunThread&) = delete;

  /// Starts a run, or books one more after the current one (then returns false). Never waits
  /// for a run. Throws std::system_error when no thread can be started.
  bool request();
  /// Waits for the run in progress; later requests and runs booked meanwhile are dropped.
  void close();

 private:
  const char* name_;
  std::function<void()> job_;
  std::mutex mutex_;  // guards the four below
  bool running_ = false;
  bool again_ = false;
  bool closing_ = false;
  std::thread thread_;
};

/// Waits for the loops PollThread released (at the daemon's exit, after the actors are gone,
/// so none runs while the process tears down).
void join_released_threads();

}  // namespace redkeep::actors
