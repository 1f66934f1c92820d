#include "actors/poll_thread.hpp"

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

}  // namespace

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

}  // namespace redkeep::actors
