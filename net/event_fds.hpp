#pragma once
// File descriptors that turn events into reads, so the node's reactor (net/reactor.hpp) waits
// on them as on sockets: an eventfd another thread signals, and a signalfd (signal(7): signals
// taken by a read, never by a handler that interrupts some thread).

#include <signal.h>

#include <optional>

#include "net/io.hpp"

namespace redkeep::net {

/// An eventfd (non-blocking, close-on-exec). Throws std::system_error when it cannot be made.
class EventFd {
 public:
  EventFd();
  int fd() const { return fd_.get(); }
  /// Makes fd() readable (any thread).
  void signal();
  /// Makes fd() unreadable again until the next signal().
  void drain();

 private:
  UniqueFd fd_;
};

/// A signalfd for `signals`, which the caller blocks in every thread (pthread_sigmask before
/// any thread starts), so each arrives here.
class SignalFd {
 public:
  /// Errors: signalfd(2)'s (EMFILE, ENOMEM).
  static IoResult<SignalFd> open(const sigset_t& signals);
  int fd() const { return fd_.get(); }
  /// The next pending signal's number, or nothing when none is pending.
  std::optional<int> take();

 private:
  explicit SignalFd(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

}  // namespace redkeep::net
