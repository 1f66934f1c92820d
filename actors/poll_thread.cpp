#include "actors/poll_thread.hpp"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <utility>
#include <vector>

namespace redkeep::actors {

namespace {

/// Released loops still running, joined once finished (at the next release) or at exit.
class Reaper {
 public:
  ~Reaper() { join_all(); }

  void adopt(std::thread thread, std::shared_ptr<std::atomic<bool>> finished) {
    std::vector<std::thread> done;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (auto it = threads_.begin(); it != threads_.end();) {
        if (*it->second) {
          done.push_back(std::move(it->first));
          it = threads_.erase(it);
        } else {
          ++it;
        }
      }
      threads_.emplace_back(std::move(thread), std::move(finished));
    }
    for (auto& t : done) t.join();  // finished: returns at once
  }

  void join_all() {
    std::vector<std::pair<std::thread, std::shared_ptr<std::atomic<bool>>>> all;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      all.swap(threads_);
    }
    for (auto& t : all) t.first.join();
  }

 private:
  std::mutex mutex_;
  std::vector<std::pair<std::thread, std::shared_ptr<std::atomic<bool>>>> threads_;
};

Reaper& reaper() {
  static Reaper r;
  return r;
}

/// Starts `body` on a thread of its own that the reaper joins once it is done.
void start_released(const char* name, std::function<void()> body) {
  auto finished = std::make_shared<std::atomic<bool>>(false);
  std::thread t([name, finished, body = std::move(body)] {
    name_this_thread(name);
    body();
    *finished = true;
  });
  reaper().adopt(std::move(t), std::move(finished));
}

/// How long a lane's thread waits for another task before it ends (at once when closed).
constexpr auto kLinger = std::chrono::seconds(2);

}  // namespace

struct LazyLane::Queue {
  const char* name;
  std::function<void(const std::string&)> on_error;
  std::mutex mutex;
  std::condition_variable posted;
  std::condition_variable idle;  // `running` turned false
  std::deque<std::function<void()>> tasks;
  bool running = false;  // a thread serves the queue
  bool closed = false;

  /// Precondition: the mutex is held and a task was queued.
  void serve(const std::shared_ptr<Queue>& self) {
    if (running) return;
    start_released(name, [self] {
      for (;;) {
        std::function<void()> task;
        {
          std::unique_lock<std::mutex> lock(self->mutex);  // after serve() set running
          // A while longer: a catch-up's reads, a retry come every few milliseconds.
          self->posted.wait_for(lock, kLinger,
                                [&] { return !self->tasks.empty() || self->closed; });
          if (self->tasks.empty()) {
            self->running = false;
            self->idle.notify_all();
            return;
          }
          task = std::move(self->tasks.front());
          self->tasks.pop_front();
        }
        std::string error;
        try {
          task();
          continue;
        } catch (const std::exception& e) {
          error = e.what();
        } catch (...) {
          error = "unknown exception";
        }
        // As a detached actor would have died at the throw: nothing more runs on this core.
        {
          std::lock_guard<std::mutex> lock(self->mutex);
          self->tasks.clear();
          self->closed = true;
        }
        if (self->on_error) self->on_error(error);
      }
    });
    running = true;  // only once the thread exists: a failed start throws to the poster
  }
};

LazyLane::LazyLane(const char* name, std::function<void(const std::string&)> on_error)
    : queue_(std::make_shared<Queue>()) {
  queue_->name = name;
  queue_->on_error = std::move(on_error);
}

LazyLane::~LazyLane() {
  std::lock_guard<std::mutex> lock(queue_->mutex);
  if (queue_->closed) return;  // finish_with's task still runs
  queue_->tasks.clear();
  queue_->closed = true;
  queue_->posted.notify_one();
}

void LazyLane::close_and_wait() {
  std::unique_lock<std::mutex> lock(queue_->mutex);
  queue_->tasks.clear();
  queue_->closed = true;
  queue_->posted.notify_one();
  queue_->idle.wait(lock, [&] { return !queue_->running; });
}

void LazyLane::post(std::function<void()> task) {
  std::lock_guard<std::mutex> lock(queue_->mutex);
  if (queue_->closed) return;
  queue_->tasks.push_back(std::move(task));
  queue_->posted.notify_one();
  queue_->serve(queue_);
}

void LazyLane::finish_with(std::function<void()> task) {
  std::lock_guard<std::mutex> lock(queue_->mutex);
  if (queue_->closed) return;
  queue_->tasks.clear();
  queue_->tasks.push_back(std::move(task));
  queue_->closed = true;
  queue_->posted.notify_one();
  queue_->serve(queue_);
}

PollThread::PollThread(const char* name, std::function<void(const std::atomic<bool>& stop)> loop,
                       Ending ending)
    : ending_(ending),
      thread_([stop = stop_, finished = finished_, name, loop = std::move(loop)] {
        name_this_thread(name);
        loop(*stop);
        *finished = true;
      }) {
  if (ending_ == Ending::release) (void)reaper();  // built before, so destroyed after, any user
}

PollThread::~PollThread() {
  if (ending_ == Ending::join || !thread_.joinable()) {
    join();
    return;
  }
  *stop_ = true;
  reaper().adopt(std::move(thread_), finished_);
}

void PollThread::join() {
  *stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void join_released_threads() { reaper().join_all(); }

RerunThread::RerunThread(const char* name, std::function<void()> job)
    : name_(name), job_(std::move(job)) {}

void RerunThread::close() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    closing_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

bool RerunThread::request() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (closing_) return false;
  if (running_) {
    again_ = true;
    return false;
  }
  if (thread_.joinable()) thread_.join();  // finished: it cleared running_ as its last act
  thread_ = std::thread([this] {
    name_this_thread(name_);
    for (;;) {
      job_();
      std::lock_guard<std::mutex> lock(mutex_);
      if (!again_ || closing_) {
        running_ = false;
        return;
      }
      again_ = false;
    }
  });
  running_ = true;
  return true;
}

}  // namespace redkeep::actors
