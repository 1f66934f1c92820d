#pragma once
// Small building blocks shared by the Linux I/O classes of net/ (netlink, gratuitous ARP,
// advert socket): an owned file descriptor, an error value that carries errno, and a poll
// helper. No CAF: an actor drives these objects from its own thread and polls their fd().
// None of these objects is thread-safe: one thread uses an object at a time (moving it to
// another thread is fine; its sockets stay in their network namespace).

#include <cerrno>
#include <string>
#include <utility>
#include <variant>

namespace redkeep::net {

/// A failed system or netlink call. `code` is the errno value (positive, e.g. EPERM,
/// EADDRNOTAVAIL; netlink error acks are translated to their errno); `message` names the
/// operation, the address and the interface involved, and ends with strerror(code).
struct IoError {
  int code = 0;
  std::string message;
};

/// Builds an IoError from `code` and a description of what was attempted
/// ("add 192.0.2.100/24 on ifindex 3"): message = what + ": " + strerror(code).
IoError make_io_error(int code, const std::string& what);

/// Either a value or an IoError. The I/O API of net/ throws no exceptions (except
/// std::bad_alloc); every failure is returned as an IoError.
template <class T>
class IoResult {
 public:
  IoResult(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  IoResult(IoError error) : v_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  /// Precondition: ok().
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  /// Precondition: !ok().
  const IoError& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, IoError> v_;
};

/// IoResult for operations that return nothing but success or an error.
template <>
class IoResult<void> {
 public:
  IoResult() = default;
  IoResult(IoError error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  /// Precondition: !ok().
  const IoError& error() const { return error_; }

 private:
  IoError error_;
  bool ok_ = true;
};

using IoStatus = IoResult<void>;

/// Owns a file descriptor and closes it on destruction. Movable, not copyable.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

/// Waits until `fd` is readable, at most `timeout_ms` milliseconds (0 = just test, negative =
/// forever; callers inside actors never pass a negative value). Returns true when readable
/// (or in error/hang-up state, so that the following read reports the error), false on
/// timeout. EINTR restarts the wait with the remaining time; other poll() errors: IoError.
IoResult<bool> wait_readable(int fd, int timeout_ms);

}  // namespace redkeep::net
