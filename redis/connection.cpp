#include "redis/connection.hpp"
#include "net/ip_address.hpp"

#include <hiredis/hiredis.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>

namespace redkeep::redis {

namespace {

timeval to_timeval(std::chrono::milliseconds ms) {
  if (ms.count() < 1) ms = std::chrono::milliseconds(1);  // 0 would mean "no timeout".
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

}  // namespace

Reply to_reply(const redisReply* r) {
  if (r == nullptr) return Reply::make_nil();
  switch (r->type) {
    case REDIS_REPLY_STRING:
      return Reply::make_string(std::string(r->str, r->len));
    case REDIS_REPLY_STATUS:
      return Reply::make_status(std::string(r->str, r->len));
    case REDIS_REPLY_ERROR:
      return Reply::make_error(std::string(r->str, r->len));
    case REDIS_REPLY_INTEGER:
      return Reply::make_integer(r->integer);
    case REDIS_REPLY_ARRAY: {
      std::vector<Reply> elements;
      elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) elements.push_back(to_reply(r->element[i]));
      return Reply::make_array(std::move(elements));
    }
    case REDIS_REPLY_NIL:
    default:
      return Reply::make_nil();
  }
}

void Connection::ContextDeleter::operator()(redisContext* c) const {
  if (c) redisFree(c);
}

Connection::~Connection() = default;

Error Connection::connection_error(const char* what, int saved_errno) {
  broken_ = true;
  const int err = ctx_ ? ctx_->err : REDIS_ERR_OTHER;
  const std::string errstr = ctx_ ? ctx_->errstr : "no context";
  const Failure f = classify_connection_error(err, saved_errno, errstr);
  return Error{f, std::string(what) + " " + peer_ + ": " + to_string(f) + " (" + errstr + ")"};
}

Result<Connection> Connection::open(const std::string& host, int port,
                                    std::chrono::milliseconds connect_timeout,
                                    std::chrono::milliseconds command_timeout,
                                    const Access& access, const std::string& client_name) {
  const auto& user = access.user;
  const auto& password = access.password;
  Connection conn;
  conn.peer_ = net::host_port(host, port);
  conn.renames_ = access.renames;
  errno = 0;
  conn.ctx_.reset(redisConnectWithTimeout(host.c_str(), port, to_timeval(connect_timeout)));
  const int connect_errno = errno;
  if (!conn.ctx_) return Error{Failure::io, "connect " + conn.peer_ + ": out of memory"};
  if (conn.ctx_->err) return conn.connection_error("connect", connect_errno);
  if (redisSetTimeout(conn.ctx_.get(), to_timeval(command_timeout)) != REDIS_OK) {
    return conn.connection_error("set timeout", errno);
  }

  if (password) {
    std::vector<std::string> auth{"AUTH"};
    if (user) auth.push_back(*user);
    auth.push_back(*password);
    auto r = conn.command(auth);
    if (!r) {
      Error e = r.error();
      // An unknown AUTH (renamed) is still a configuration problem, and it echoes arguments.
      if (e.failure == Failure::unknown_command) e.failure = Failure::auth;
      e.message = "AUTH" + (user ? " as user '" + *user + "'" : std::string()) + " on " +
                  conn.peer_ + " failed: " + redact(std::move(e.message), password);
      return e;
    }
  }

  if (!client_name.empty()) {
    auto r = conn.command({"CLIENT", "SETNAME", client_name});
    if (!r) {
      Error e = r.error();
      e.message = "CLIENT SETNAME on " + conn.peer_ + " failed: " + redact(e.message, password);
      return e;
    }
  }
  return conn;
}

Result<Reply> Connection::command(const std::vector<std::string>& argv) {
  if (!ctx_ || broken_) return Error{Failure::closed, "connection to " + peer_ + " is closed"};
  if (argv.empty()) return Error{Failure::other, "empty command"};
  std::vector<const char*> args;
  std::vector<size_t> lens;
  args.reserve(argv.size());
  lens.reserve(argv.size());
  const std::string& name = command_name(renames_, argv[0]);
  args.push_back(name.data());
  lens.push_back(name.size());
  for (auto a = argv.begin() + 1; a != argv.end(); ++a) {
    args.push_back(a->data());
    lens.push_back(a->size());
  }
  errno = 0;
  auto* raw = static_cast<redisReply*>(
      redisCommandArgv(ctx_.get(), static_cast<int>(args.size()), args.data(), lens.data()));
  const int saved_errno = errno;
  if (raw == nullptr) return connection_error("command on", saved_errno);
  Reply reply = to_reply(raw);
  freeReplyObject(raw);
  if (!reply.is_error()) return reply;
  Error e{classify_error_reply(reply.str), reply.str};
  if (e.failure == Failure::unknown_command) {
    // Redis echoes the first bytes of the arguments (cut to 128): a password, once cut, no
    // longer matches redact(). The arguments are never needed: they go.
    if (const auto args = e.message.find(", with args beginning with:"); args != std::string::npos)
      e.message.erase(args);
    e.message += name == argv[0] ? " (renamed or disabled by rename-command in redis.conf? then "
                                   "add rename_command " + argv[0] +
                                       " NEW_NAME to the redis block)"
                                 : " (sent as " + name + " by rename_command " + argv[0] + " " +
                                       name + ": is that its name in redis.conf?)";
  }
  return e;
}

int Connection::fd() const { return ctx_ && !broken_ ? ctx_->fd : -1; }

std::string Connection::local_address() const {
  sockaddr_in addr{};
  socklen_t len = sizeof addr;
  if (fd() < 0 || ::getsockname(fd(), reinterpret_cast<sockaddr*>(&addr), &len) != 0 ||
      addr.sin_family != AF_INET)
    return "";
  char ip[INET_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET, &addr.sin_addr, ip, sizeof ip);
  return std::string(ip) + ":" + std::to_string(ntohs(addr.sin_port));
}

bool Connection::peer_closed() {
  if (!ctx_ || broken_) return true;
  char byte;
  const ssize_t n = ::recv(ctx_->fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
    broken_ = true;
    return true;
  }
  return false;
}

}  // namespace redkeep::redis
