#pragma once
// One epoll loop for the node's reads that never block (advert sockets, netlink link
// notifications, signals): a thread per socket would cost a stack and a wake-up each, and a
// daemon that mostly waits should cost little. Handlers run on the loop's thread and must not
// block; they hand what they read to an actor. No CAF.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "net/event_fds.hpp"

namespace redkeep::net {

/// The node's read loop (epoll, level-triggered). run() makes the calling thread the loop's
/// (the daemon's main thread); without it, the first watch() starts a thread "rk-io".
class Reactor {
 public:
  /// Called on the loop's thread each time the fd is readable, until it is drained.
  using Handler = std::function<void()>;

  /// A registration; its destructor stops the calls, waiting for a call in progress on another
  /// thread, so the handler may use objects that outlive the Watch. A handler may drop its own
  /// Watch: that call still ends normally.
  class Watch {
   public:
    Watch() = default;
    Watch(Reactor* reactor, std::uint64_t id) : reactor_(reactor), id_(id) {}
    Watch(Watch&& other) noexcept { *this = std::move(other); }
    Watch& operator=(Watch&& other) noexcept;
    ~Watch() { reset(); }
    void reset();

   private:
    Reactor* reactor_ = nullptr;
    std::uint64_t id_ = 0;
  };

  /// The node's loop (a function-local static).
  static Reactor& get();
  /// A loop of its own (tests). Throws std::system_error when epoll or eventfd cannot be
  /// created.
  Reactor();
  ~Reactor();
  Reactor(const Reactor&) = delete;
  Reactor& operator=(const Reactor&) = delete;

  /// Calls `handler` whenever `fd` is readable. Throws std::system_error when epoll refuses
  /// the fd. The fd must stay open while the Watch lives.
  [[nodiscard]] Watch watch(int fd, Handler handler);

  /// Declares that the calling thread will call run(): watch() starts no thread of its own.
  void claim_thread();

  /// Runs the loop on the calling thread until stop(). A handler that throws is dropped: its
  /// fd is watched no longer, and the exception's text goes to `on_error`.
  void run(const std::function<void(const std::string&)>& on_error = {});

  /// Makes run() return (from any thread, and from a signal-free context only).
  void stop();

 private:
  void unwatch(std::uint64_t id);

  UniqueFd epoll_fd_;
  EventFd wake_;  // stop()
  std::recursive_mutex mutex_;  // held while a handler runs: Watch::reset waits for it
  // id -> (fd, handler); shared, so a handler that drops its own Watch outlives that call
  std::map<std::uint64_t, std::pair<int, std::shared_ptr<Handler>>> handlers_;
  std::uint64_t next_id_ = 1;  // 0 is the wake fd's
  bool claimed_ = false;
  bool stopping_ = false;
  std::thread thread_;  // the lazily started loop, when nobody claimed it
};

}  // namespace redkeep::net
