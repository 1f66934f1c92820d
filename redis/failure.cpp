#include "redis/failure.hpp"

#include <hiredis/read.h>

#include <cerrno>

namespace redkeep::redis {

const char* to_string(Failure failure) {
  switch (failure) {
    case Failure::refused:
      return "refused";
    case Failure::timeout:
      return "timeout";
    case Failure::closed:
      return "closed";
    case Failure::io:
      return "io";
    case Failure::auth:
      return "auth";
    case Failure::busy:
      return "busy";
    case Failure::loading:
      return "loading";
    case Failure::masterdown:
      return "masterdown";
    case Failure::unknown_command:
      return "unknown_command";
    case Failure::noperm:
      return "noperm";
    case Failure::other:
      return "other";
  }
  return "other";
}

namespace {

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool contains(std::string_view s, std::string_view needle) {
  return s.find(needle) != std::string_view::npos;
}

}  // namespace

Failure classify_error_reply(std::string_view text) {
  const auto space = text.find(' ');
  const std::string_view code = text.substr(0, space);
  const std::string_view rest =
      space == std::string_view::npos ? std::string_view() : text.substr(space + 1);
  if (code == "NOAUTH" || code == "WRONGPASS") return Failure::auth;
  if (code == "BUSY") return Failure::busy;  // "BUSYKEY" (RESTORE) is a different error.
  if (code == "LOADING") return Failure::loading;
  if (code == "MASTERDOWN") return Failure::masterdown;
  if (code == "NOPERM") return Failure::noperm;
  if (code == "ERR") {
    if (starts_with(rest, "unknown command") || starts_with(rest, "unknown subcommand")) {
      return Failure::unknown_command;
    }
    // Redis < 6: "ERR invalid password"; "ERR Client sent AUTH, but no password is set".
    // Redis >= 6: "ERR AUTH <password> called without any password configured ...".
    if (starts_with(rest, "invalid password") || contains(rest, "no password is set") ||
        contains(rest, "without any password configured")) {
      return Failure::auth;
    }
  }
  return Failure::other;
}

Failure classify_connection_error(int hiredis_err, int saved_errno, std::string_view errstr) {
  if (hiredis_err == REDIS_ERR_EOF) return Failure::closed;
  if (hiredis_err == REDIS_ERR_IO) {
    switch (saved_errno) {
      case ECONNREFUSED:
        return Failure::refused;
      case ETIMEDOUT:
      case EAGAIN:
      case EINPROGRESS:
        return Failure::timeout;
      case ECONNRESET:
      case EPIPE:
        return Failure::closed;
      default:
        break;
    }
    if (contains(errstr, "refused")) return Failure::refused;
    if (contains(errstr, "timed out") || contains(errstr, "temporarily unavailable")) {
      return Failure::timeout;
    }
    if (contains(errstr, "reset by peer") || contains(errstr, "Broken pipe")) {
      return Failure::closed;
    }
  }
  return Failure::io;
}

std::string redact(std::string text, const std::optional<std::string>& secret) {
  if (!secret || secret->empty()) return text;
  for (auto pos = text.find(*secret); pos != std::string::npos; pos = text.find(*secret, pos)) {
    text.replace(pos, secret->size(), "***");
    pos += 3;
  }
  return text;
}

}  // namespace redkeep::redis
