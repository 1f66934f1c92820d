#pragma once
// Why a Redis command did not give a usable reply, and a small result type carrying either a
// value or that reason. Pure: no I/O.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace redkeep::redis {

/// Classified reason a connection or command failed. The health checker maps these to
/// fall/rise and Fault (DESIGN.md section 5): timeout and busy count toward `fall`, loading is
/// alive-but-not-eligible, auth is a configuration error (Fault at once).
enum class Failure {
  refused,          ///< TCP connect refused (nothing listens): Redis is down, now.
  timeout,          ///< connect or command exceeded its timeout.
  closed,           ///< the server closed the connection (EOF, reset, broken pipe).
  io,               ///< any other socket / protocol error, name resolution.
  auth,             ///< NOAUTH / WRONGPASS / invalid password: a configuration error.
  busy,             ///< BUSY: a script or function runs past busy-reply-threshold.
  loading,          ///< LOADING: Redis is loading its data set into memory.
  masterdown,       ///< MASTERDOWN: replica with replica-serve-stale-data no and link down.
  unknown_command,  ///< ERR unknown command (renamed with rename-command, or too old a Redis).
  noperm,           ///< NOPERM: the ACL user may not run this command.
  other,            ///< any other error reply, or a reply of an unexpected shape.
};

/// Lower-case name of a Failure ("refused", "timeout", ...), for logs and status output.
const char* to_string(Failure failure);

/// A Failure with a human-readable message. The message never contains a password.
struct Error {
  Failure failure = Failure::other;
  std::string message;
};

/// Classifies the text of an error reply (without the leading '-') by its error code, the
/// first word, as Redis sends it (Redis 7.0 server.c shared error objects):
/// "NOAUTH", "WRONGPASS", "ERR invalid password", "ERR ... without any password configured"
/// -> auth; "BUSY" (not "BUSYKEY") -> busy; "LOADING"; "MASTERDOWN"; "NOPERM";
/// "ERR unknown command" / "ERR unknown subcommand" -> unknown_command; else other.
Failure classify_error_reply(std::string_view text);

/// Classifies a hiredis context error: `hiredis_err` is redisContext::err (REDIS_ERR_IO,
/// REDIS_ERR_EOF, ...), `saved_errno` the errno right after the failed call, `errstr`
/// redisContext::errstr. ECONNREFUSED -> refused; ETIMEDOUT/EAGAIN/EWOULDBLOCK or EINPROGRESS
/// (a blocking socket with SO_RCVTIMEO, hiredis 0.14) -> timeout; EOF, ECONNRESET, EPIPE ->
/// closed; everything else -> io. errstr is consulted too, since hiredis may call functions
/// that clobber errno before returning.
Failure classify_connection_error(int hiredis_err, int saved_errno, std::string_view errstr);

/// Either a value or an Error. value() on an error throws std::bad_variant_access: check ok().
template <class T>
class Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT: implicit

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const Error& error() const { return std::get<1>(v_); }
  /// Shortcut for error().failure; only valid when !ok().
  Failure failure() const { return error().failure; }

 private:
  std::variant<T, Error> v_;
};

/// Result of an operation that returns nothing but success.
using Status = Result<std::monostate>;

/// A successful Status.
inline Status ok_status() { return Status(std::monostate{}); }

/// `text` with every occurrence of `secret` replaced by "***", so that an error that echoes
/// arguments (a renamed AUTH answers "unknown command 'AUTH', with args beginning with: ...")
/// never carries a password into a log line. No secret, or an empty one: `text` as is.
std::string redact(std::string text, const std::optional<std::string>& secret);

}  // namespace redkeep::redis
