#pragma once
// A blocking connection to one Redis over hiredis 0.14 (no TLS, RESP2 only), with connect and
// command timeouts. Meant to be driven from a detached actor or a dedicated thread: every call
// may block up to its timeout. Not thread-safe; one owner at a time.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "redis/access.hpp"
#include "redis/failure.hpp"
#include "redis/reply.hpp"

struct redisContext;
struct redisReply;

namespace redkeep::redis {

/// Converts a hiredis reply tree into a Reply (deep copy). nullptr -> nil.
Reply to_reply(const redisReply* reply);

class Connection {
 public:
  /// Connects over TCP to host:port, sets the command timeout, authenticates and names the
  /// connection:
  ///  - `connect_timeout`: bound on the TCP connect (milliseconds resolution);
  ///  - `command_timeout`: bound on each command's write and read afterwards;
  ///  - `access.password` set: AUTH user password when `access.user` is set (Redis >= 6 ACL),
  ///    AUTH password otherwise (requirepass);
  ///  - `access.renames`: every command sent on this connection, AUTH included, goes by its
  ///    renamed name;
  ///  - `client_name`: sent with CLIENT SETNAME; must start with "redkeep-" so that
  ///    kill_clients_except_redkeep() spares it, and must not contain spaces.
  /// Errors: refused (nothing listening, returned at once), timeout, io, auth (wrong or
  /// missing password: a configuration error), busy/loading when Redis refuses
  /// CLIENT SETNAME. No error message contains the password.
  static Result<Connection> open(const std::string& host, int port,
                                 std::chrono::milliseconds connect_timeout,
                                 std::chrono::milliseconds command_timeout,
                                 const Access& access, const std::string& client_name);

  Connection(Connection&&) noexcept = default;
  Connection& operator=(Connection&&) noexcept = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  /// Sends one command (binary-safe arguments; argv[0] as the Redis command table names it,
  /// upper case, sent renamed when rename_command says so) and waits for its reply, at most
  /// the command timeout. An unknown command's error says that it may be renamed. A top-level error reply becomes an Error classified by classify_error_reply(),
  /// with the server's text as message; nested errors (EXEC) stay inside the Reply.
  /// After a connection-level failure (timeout, closed, io) the connection is unusable:
  /// is_broken() turns true and later commands fail with `closed` at once; open a new one.
  /// A timeout breaks the connection on purpose: a late reply must not be read as the answer
  /// to the next command.
  Result<Reply> command(const std::vector<std::string>& argv);

  /// The socket, for poll()/epoll; -1 once broken.
  int fd() const;

  /// True after a connection-level failure of a command.
  bool is_broken() const { return broken_; }

  /// Checks without blocking whether the server has closed the connection (EOF or a socket
  /// error pending, seen with a MSG_PEEK read). Marks the connection broken when so. Use it
  /// when poll() reports the fd readable while no command is outstanding: Redis never sends
  /// unsolicited data on a RESP2 connection that is not subscribed, so readable means closed.
  bool peer_closed();

  /// "host:port", for log lines.
  const std::string& peer() const { return peer_; }

  /// This end's "ip:port" (IPv4), as the server lists it in CLIENT LIST `addr`; empty when
  /// broken or not IPv4.
  std::string local_address() const;

 private:
  struct ContextDeleter {
    void operator()(redisContext* c) const;
  };

  Connection() = default;
  Error connection_error(const char* what, int saved_errno);

  std::unique_ptr<redisContext, ContextDeleter> ctx_;
  std::string peer_;
  CommandRenames renames_;
  bool broken_ = false;
};

}  // namespace redkeep::redis
