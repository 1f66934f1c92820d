#include "redis/reply.hpp"

#include <charconv>

namespace redkeep::redis {

std::optional<std::string_view> Reply::text() const {
  if (type == Type::string || type == Type::status) return std::string_view(str);
  return std::nullopt;
}

std::optional<std::int64_t> Reply::as_integer() const {
  if (type == Type::integer) return integer;
  if (auto t = text()) return parse_int64(*t);
  return std::nullopt;
}

const char* to_string(Reply::Type type) {
  switch (type) {
    case Reply::Type::string:
      return "string";
    case Reply::Type::status:
      return "status";
    case Reply::Type::error:
      return "error";
    case Reply::Type::integer:
      return "integer";
    case Reply::Type::nil:
      return "nil";
    case Reply::Type::array:
      return "array";
  }
  return "unknown";
}

std::optional<std::int64_t> parse_int64(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::int64_t value = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

}  // namespace redkeep::redis
