#include "net/member_probe.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include "net/socket_address.hpp"

namespace redkeep::net {

namespace {

constexpr char kPing[] = "PING\r\n";  // an inline command: no RESP framing needed

/// Starts a non-blocking connect; an invalid fd when the socket cannot even be created.
UniqueFd start_connect(const RedisEndpoint& m) {
  UniqueFd fd(::socket(m.address.is_v4() ? AF_INET : AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return fd;
  const SocketAddress to = socket_address(m.address, m.port);
  if (::connect(fd.get(), to.get(), to.length) < 0 && errno != EINPROGRESS)
    fd.reset();
  return fd;
}

/// The member's kernel acknowledged everything we sent: its node is reachable, whether or not
/// its Redis is free to answer (DEBUG SLEEP, a long script, SIGSTOP).
bool peer_acked(int fd) {
  tcp_info info{};
  socklen_t len = sizeof info;
  return ::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) == 0 && info.tcpi_unacked == 0;
}

bool send_ping(int fd) {
  // Whatever a timed-out round left unread would pass for this round's reply.
  char drain[512];
  while (::recv(fd, drain, sizeof drain, MSG_DONTWAIT) > 0) {
  }
  return ::send(fd, kPing, sizeof kPing - 1, MSG_DONTWAIT | MSG_NOSIGNAL) ==
         static_cast<ssize_t>(sizeof kPing - 1);
}

}  // namespace

void MemberProber::set_members(std::vector<RedisEndpoint> members) {
  std::vector<Link> links(members.size());
  for (std::size_t i = 0; i < members.size(); ++i) {
    auto it = std::find(members_.begin(), members_.end(), members[i]);
    if (it != members_.end()) links[i] = std::move(links_[it - members_.begin()]);
  }
  members_ = std::move(members);
  links_ = std::move(links);
}

std::size_t MemberProber::round(std::chrono::milliseconds timeout,
                                const std::function<void()>& on_first_reply) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + timeout;
  enum class Wait { none, connect, reply };
  std::vector<Wait> wait(members_.size(), Wait::none);
  for (std::size_t i = 0; i < members_.size(); ++i) {
    Link& l = links_[i];
    if (l.fd.valid() && l.connected && send_ping(l.fd.get())) {
      wait[i] = Wait::reply;
      continue;
    }
    l.fd = start_connect(members_[i]);
    l.connected = false;
    if (l.fd.valid()) wait[i] = Wait::connect;
  }
  std::size_t replied = 0;
  std::vector<bool> reached(members_.size(), false);
  const auto reach = [&](std::size_t i) {
    if (reached[i]) return;
    reached[i] = true;
    if (++replied == 1 && on_first_reply) on_first_reply();
  };
  // No event tells that a member's kernel acknowledged our PING: look every few milliseconds.
  constexpr int kAckPollMs = 5;
  while (true) {
    std::vector<pollfd> fds;
    std::vector<std::size_t> index;
    for (std::size_t i = 0; i < members_.size(); ++i) {
      if (wait[i] == Wait::none) continue;
      if (wait[i] == Wait::reply && !reached[i] && peer_acked(links_[i].fd.get())) reach(i);
      fds.push_back({links_[i].fd.get(),
                     static_cast<short>(wait[i] == Wait::connect ? POLLOUT : POLLIN), 0});
      index.push_back(i);
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (fds.empty() || left <= 0) break;
    const int n = ::poll(fds.data(), fds.size(), static_cast<int>(std::min<long>(left, kAckPollMs)));
    if (n < 0 && errno != EINTR) break;
    for (std::size_t k = 0; n > 0 && k < fds.size(); ++k) {
      if (fds[k].revents == 0) continue;
      const std::size_t i = index[k];
      Link& l = links_[i];
      if (wait[i] == Wait::connect) {
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(l.fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
        // A refused connection is an answer of the member's node too: it is reachable, its
        // Redis is not running.
        if (err == 0 || (err == ECONNREFUSED && refused_is_reached_)) reach(i);
        if (err == 0 && send_ping(l.fd.get())) {
          l.connected = true;
          wait[i] = Wait::reply;
        } else {
          l.fd.reset();
          wait[i] = Wait::none;
        }
        continue;
      }
      char buf[512];
      const ssize_t got = ::recv(l.fd.get(), buf, sizeof buf, MSG_DONTWAIT);
      if (got > 0) reach(i);
      // A reply that ends in a close (-ERR max number of clients) still counts; the next round
      // reconnects.
      if (got <= 0 || (fds[k].revents & (POLLHUP | POLLERR))) {
        l.fd.reset();
        l.connected = false;
      }
      wait[i] = Wait::none;
    }
  }
  for (std::size_t i = 0; i < members_.size(); ++i) {
    if (wait[i] == Wait::none) continue;
    links_[i].fd.reset();
    links_[i].connected = false;
  }
  return replied;
}

}  // namespace redkeep::net
