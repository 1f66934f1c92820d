#include "net/reactor.hpp"

#include <pthread.h>
#include <sys/epoll.h>


#include <cerrno>
#include <system_error>

namespace redkeep::net {

Reactor::Watch& Reactor::Watch::operator=(Watch&& other) noexcept {
  if (this != &other) {
    reset();
    reactor_ = std::exchange(other.reactor_, nullptr);
    id_ = std::exchange(other.id_, 0);
  }
  return *this;
}

void Reactor::Watch::reset() {
  if (reactor_) reactor_->unwatch(id_);
  reactor_ = nullptr;
  id_ = 0;
}

Reactor& Reactor::get() {
  static Reactor reactor;
  return reactor;
}

Reactor::Reactor() : epoll_fd_(::epoll_create1(EPOLL_CLOEXEC)) {
  if (!epoll_fd_.valid())
    throw std::system_error(errno, std::generic_category(), "epoll_create1");
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = 0;
  if (::epoll_ctl(epoll_fd_.get(), EPOLL_CTL_ADD, wake_.fd(), &ev) != 0)
    throw std::system_error(errno, std::generic_category(), "epoll_ctl");
}

Reactor::~Reactor() {
  if (thread_.joinable()) {
    stop();
    thread_.join();
  }
}

Reactor::Watch Reactor::watch(int fd, Handler handler) {
  std::lock_guard<std::recursive_mutex> lock(mutex_);
  const auto id = next_id_++;
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = id;
  if (::epoll_ctl(epoll_fd_.get(), EPOLL_CTL_ADD, fd, &ev) != 0)
    throw std::system_error(errno, std::generic_category(),
                            "epoll_ctl(ADD, fd " + std::to_string(fd) + ")");
  handlers_.emplace(id, std::make_pair(fd, std::make_shared<Handler>(std::move(handler))));
  if (!claimed_ && !thread_.joinable()) {
    thread_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "rk-io");
      run();
    });
  }
  return Watch(this, id);
}

void Reactor::unwatch(std::uint64_t id) {
  std::lock_guard<std::recursive_mutex> lock(mutex_);
  auto it = handlers_.find(id);
  if (it == handlers_.end()) return;
  (void)::epoll_ctl(epoll_fd_.get(), EPOLL_CTL_DEL, it->second.first, nullptr);
  handlers_.erase(it);
}

void Reactor::claim_thread() {
  std::lock_guard<std::recursive_mutex> lock(mutex_);
  claimed_ = true;
}

void Reactor::stop() {
  {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.signal();
}

void Reactor::run(const std::function<void(const std::string&)>& on_error) {
  epoll_event events[16];
  for (;;) {
    {
      std::lock_guard<std::recursive_mutex> lock(mutex_);
      if (stopping_) {
        stopping_ = false;
        return;
      }
    }
    const int n = ::epoll_wait(epoll_fd_.get(), events, 16, -1);
    if (n < 0 && errno != EINTR)
      throw std::system_error(errno, std::generic_category(), "epoll_wait");
    for (int i = 0; i < n; ++i) {
      const auto id = events[i].data.u64;
      if (id == 0) {
        wake_.drain();
        continue;
      }
      std::lock_guard<std::recursive_mutex> lock(mutex_);
      auto it = handlers_.find(id);
      if (it == handlers_.end()) continue;  // unwatched since epoll_wait returned
      const auto handler = it->second.second;
      try {
        (*handler)();
      } catch (const std::exception& e) {
        if (on_error) on_error(e.what());
        unwatch(id);
      } catch (...) {
        if (on_error) on_error("unknown exception");
        unwatch(id);
      }
    }
  }
}

}  // namespace redkeep::net
