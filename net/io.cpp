#include "net/io.hpp"

#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

namespace redkeep::net {

IoError make_io_error(int code, const std::string& what) {
  return IoError{code, what + ": " + std::strerror(code)};
}

void UniqueFd::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

IoResult<bool> wait_readable(int fd, int timeout_ms) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms < 0 ? 0 : timeout_ms);
  for (;;) {
    int remaining = timeout_ms;
    if (timeout_ms > 0) {
      auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      remaining = left > 0 ? static_cast<int>(left) : 0;
    }
    pollfd p{fd, POLLIN, 0};
    int n = ::poll(&p, 1, remaining);
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) return make_io_error(errno, "poll fd " + std::to_string(fd));
  }
}

}  // namespace redkeep::net
