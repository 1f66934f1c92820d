#include "config/password.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

using redkeep::config::read_redis_password;
using redkeep::config::RedisSettings;

namespace {

std::string temp_file(const std::string& name, const std::string& content) {
  const auto path = std::filesystem::temp_directory_path() / ("redkeep-pw-" + name);
  std::ofstream(path, std::ios::binary) << content;
  return path.string();
}

std::string error_of(const RedisSettings& s) {
  try {
    read_redis_password(s);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("the Redis password comes from password, else from password_file's first line",
          "[config][secrets]") {
  RedisSettings s;
  CHECK_FALSE(read_redis_password(s).has_value());
  s.password_file = temp_file("crlf", "s3cret\r\nsecond line\n");
  CHECK(read_redis_password(s) == std::optional<std::string>("s3cret"));
  s.password = redkeep::config::Secret("inline");
  CHECK(read_redis_password(s) == std::optional<std::string>("inline"));
  std::filesystem::remove(*s.password_file);
}

TEST_CASE("an unreadable password_file is an error naming the file, never the password",
          "[config][secrets]") {
  RedisSettings s;
  s.password_file = "/nonexistent/redkeep-password";
  CHECK(error_of(s) == "Redis password_file /nonexistent/redkeep-password is not a regular file");
  s.password_file = std::filesystem::temp_directory_path().string();
  CHECK(error_of(s).find("is not a regular file") != std::string::npos);
  s.password_file = temp_file("empty", "");
  CHECK(error_of(s).find("cannot read Redis password_file " + *s.password_file) == 0);
  std::filesystem::remove(*s.password_file);
  s.password_file = temp_file("long", std::string(5000, 'p'));
  const auto e = error_of(s);
  CHECK(e.find("over 4095 bytes") != std::string::npos);
  CHECK(e.find("pppp") == std::string::npos);
  std::filesystem::remove(*s.password_file);
}
