#pragma once
// A neutral tree for one Redis (RESP2) reply, so that parsers and tests never see hiredis
// types. The conversion from hiredis' redisReply lives in redis/connection.cpp.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace redkeep::redis {

/// One RESP2 reply. `str` holds the text of string, status and error replies; `integer` the
/// value of integer replies; `elements` the items of array replies. Source: Redis protocol
/// specification (RESP2): simple string (status), error, integer, bulk string, array, nil.
struct Reply {
  enum class Type { string, status, error, integer, nil, array };

  Type type = Type::nil;
  std::string str;
  std::int64_t integer = 0;
  std::vector<Reply> elements;

  static Reply make_string(std::string s) { return Reply{Type::string, std::move(s), 0, {}}; }
  static Reply make_status(std::string s) { return Reply{Type::status, std::move(s), 0, {}}; }
  static Reply make_error(std::string s) { return Reply{Type::error, std::move(s), 0, {}}; }
  static Reply make_integer(std::int64_t i) { return Reply{Type::integer, {}, i, {}}; }
  static Reply make_nil() { return Reply{}; }
  static Reply make_array(std::vector<Reply> e) { return Reply{Type::array, {}, 0, std::move(e)}; }

  bool is_error() const { return type == Type::error; }
  bool is_array() const { return type == Type::array; }

  /// The reply as text when it is a string or status reply; nullopt otherwise.
  std::optional<std::string_view> text() const;

  /// The reply as a signed 64-bit number: an integer reply, or a string/status reply that is
  /// a decimal number (ROLE sends replica ports and offsets as strings). nullopt otherwise.
  std::optional<std::int64_t> as_integer() const;
};

/// Name of a reply type, for diagnostics ("string", "status", ...).
const char* to_string(Reply::Type type);

/// Parses a whole string_view as a signed decimal 64-bit number (optional leading '-');
/// nullopt on empty input, trailing characters or overflow. Never throws.
std::optional<std::int64_t> parse_int64(std::string_view text);

}  // namespace redkeep::redis
