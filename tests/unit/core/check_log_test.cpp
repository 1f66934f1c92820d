#include "core/check_log.hpp"

#include <catch2/catch.hpp>

using namespace redkeep;
using redis::CheckOutcome;

namespace {

std::vector<std::string> texts(const std::vector<core::LogEvent>& lines) {
  std::vector<std::string> out;
  for (const auto& l : lines) out.push_back(l.text);
  return out;
}

}  // namespace

TEST_CASE("the check log writes a line per change of result, not per check", "[core][check_log]") {
  core::CheckLog log;
  const std::string at = "127.0.0.1:6379";
  CHECK(texts(log.record(CheckOutcome::pong, "PONG", false, true, at)) ==
        std::vector<std::string>{"PING -> PONG"});
  CHECK(log.record(CheckOutcome::pong, "PONG", false, true, at).empty());
  const auto refused =
      log.record(CheckOutcome::down, "Failed (connection refused)", true, false, at);
  CHECK(texts(refused) == std::vector<std::string>{"PING -> Failed (connection refused)",
                                                   "Redis 127.0.0.1:6379 is FAILED"});
  CHECK(refused[0].level == core::LogLevel::warn);
  CHECK(refused[1].level == core::LogLevel::error);
  CHECK(refused[1].kind == core::LogKind::health);
  CHECK(log.record(CheckOutcome::down, "Failed (connection refused)", false, false, at).empty());
}

TEST_CASE("a wrong password is logged once until another result comes", "[core][check_log]") {
  core::CheckLog log;
  const std::string at = "127.0.0.1:6379";
  const auto first = log.record(CheckOutcome::config_error, "Failed (auth)", true, false, at);
  REQUIRE(first.size() == 2);
  CHECK(first[0].text ==
        "PING -> Failed (auth): configuration error: check the redis password / user");
  CHECK(log.record(CheckOutcome::config_error, "Failed (auth)", false, false, at).empty());
  CHECK(log.record(CheckOutcome::pong, "PONG", true, true, at).size() == 2);
  CHECK(log.record(CheckOutcome::config_error, "Failed (auth)", true, false, at).size() == 2);
}

TEST_CASE("a failed check's text names LOADING, or what failed", "[core][check_log]") {
  redis::Error loading{redis::Failure::loading, "LOADING Redis is loading the dataset in memory"};
  CHECK(core::failed_check_text(loading) == "LOADING");
  redis::Error refused{redis::Failure::refused, "connection refused"};
  CHECK(core::failed_check_text(refused) == "Failed (connection refused)");
}
