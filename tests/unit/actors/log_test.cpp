// The one logging entry point: every line names its event (checked at compile time), JSON
// lines carry ts/level/node/instance/event/text and the event's fields, and nothing else in
// the sources writes through spdlog directly (a line there would bypass the format).
#include "actors/log.hpp"

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <type_traits>

using redkeep::actors::field;
using redkeep::actors::Log;
using redkeep::actors::LogFormat;
using redkeep::core::LogKind;

namespace {

template <class L, class = void>
struct logs_without_event : std::false_type {};
template <class L>
struct logs_without_event<L, std::void_t<decltype(std::declval<const L&>().info("text"))>>
    : std::true_type {};

template <class L, class = void>
struct logs_with_event : std::false_type {};
template <class L>
struct logs_with_event<
    L, std::void_t<decltype(std::declval<const L&>().info(LogKind::health, "text"))>>
    : std::true_type {};

static_assert(!logs_without_event<Log>::value, "a line without an event must not compile");
static_assert(logs_with_event<Log>::value);

/// Runs `body` with the default logger writing bare lines into the returned text.
template <class F>
std::string captured(LogFormat format, F body) {
  redkeep::actors::setup_logging(format, "node1");
  std::ostringstream out;
  auto logger = std::make_shared<spdlog::logger>(
      "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
  logger->set_pattern("%v");
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(logger);
  body();
  spdlog::set_default_logger(previous);
  redkeep::actors::setup_logging(LogFormat::text, "node1");
  return out.str();
}

}  // namespace

TEST_CASE("a JSON line carries the event, its fields and a UTC timestamp", "[log]") {
  const auto text = captured(LogFormat::json, [] {
    Log("VI_1").info(LogKind::vip_added, "VIP {} added on {}", field("vip", "192.0.2.100/24"),
                     field("interface", "eth0"));
  });
  const auto line = nlohmann::json::parse(text);
  CHECK(line["event"] == "vip_added");
  CHECK(line["instance"] == "VI_1");
  CHECK(line["node"] == "node1");
  CHECK(line["level"] == "info");
  CHECK(line["text"] == "VIP 192.0.2.100/24 added on eth0");
  CHECK(line["vip"] == "192.0.2.100/24");
  CHECK(line["interface"] == "eth0");
  CHECK(std::regex_match(line["ts"].get<std::string>(),
                         std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
}

TEST_CASE("a core event's fields are written, reserved names kept apart", "[log]") {
  const auto text = captured(LogFormat::json, [] {
    Log("VI_1").write({redkeep::core::LogLevel::warn,
                       LogKind::state_change,
                       "Entering MASTER state",
                       {{"to", "MASTER"}, {"text", "clash"}}});
  });
  const auto line = nlohmann::json::parse(text);
  CHECK(line["level"] == "warning");
  CHECK(line["to"] == "MASTER");
  CHECK(line["text"] == "Entering MASTER state");
  CHECK(line["text_"] == "clash");
}

TEST_CASE("a text line names its instance, a daemon line does not", "[log]") {
  const auto text = captured(LogFormat::text, [] {
    Log("VI_1").warn(LogKind::health, "Redis is {}", field("state", "FAILED"));
    redkeep::actors::daemon_log().info(LogKind::signal, "Received SIGTERM; stopping");
  });
  CHECK(text == "[VI_1] Redis is FAILED\nReceived SIGTERM; stopping\n");
}

TEST_CASE("no source writes log lines through spdlog directly", "[log]") {
  namespace fs = std::filesystem;
  const fs::path root = fs::path(REDKEEP_FIXTURES_DIR) / ".." / "..";
  const std::regex direct(R"(spdlog::(log|trace|debug|info|warn|error|critical)\s*\()");
  int scanned = 0;
  for (const char* dir : {"actors", "core", "config", "net", "redis", "inspect"}) {
    for (const auto& entry : fs::recursive_directory_iterator(root / dir)) {
      const auto name = entry.path().filename().string();
      if (name == "log.cpp" && entry.path().parent_path().filename() == "actors") continue;
      if (entry.path().extension() != ".cpp" && entry.path().extension() != ".hpp") continue;
      std::ifstream in(entry.path());
      const std::string source((std::istreambuf_iterator<char>(in)), {});
      ++scanned;
      INFO(entry.path().string());
      CHECK_FALSE(std::regex_search(source, direct));
    }
  }
  CHECK(scanned > 50);
}
