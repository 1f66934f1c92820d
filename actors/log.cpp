#include "actors/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>

namespace redkeep::actors {

namespace {

LogFormat g_format = LogFormat::text;  // set once by setup_logging, before any thread
std::string g_node;

/// RFC 3339 in UTC with milliseconds: "2026-12-01T07:13:55.123Z".
std::string utc_now() {
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch());
  const std::time_t secs = static_cast<std::time_t>(ms.count() / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  const auto n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:03}Z", std::string_view(buf, n), ms.count() % 1000);
}

bool reserved(std::string_view name) {
  return name == "ts" || name == "level" || name == "node" || name == "instance" ||
         name == "event" || name == "text";
}

spdlog::level::level_enum to_spdlog(core::LogLevel level) {
  switch (level) {
    case core::LogLevel::info:
      return spdlog::level::info;
    case core::LogLevel::warn:
      return spdlog::level::warn;
    case core::LogLevel::error:
      return spdlog::level::err;
    case core::LogLevel::critical:
      return spdlog::level::critical;
  }
  return spdlog::level::err;
}

}  // namespace

void setup_logging(LogFormat format, const std::string& node) {
  g_format = format;
  g_node = node;
  spdlog::drop("redkeep");  // set up again (tests)
  auto logger = spdlog::stderr_logger_mt("redkeep");
  if (format == LogFormat::json) {
    logger->set_pattern("%v");
  } else {
    std::string escaped;  // spdlog patterns take '%' as a flag
    for (char c : node) escaped += c == '%' ? std::string("%%") : std::string(1, c);
    // When (ISO 8601, milliseconds, with the UTC offset) and who, so that the logs of several
    // nodes can be merged (redkeep inspect).
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z " + escaped + " %l %v");
  }
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(logger);
}

void write_line(spdlog::level::level_enum level, std::string_view instance, core::LogKind kind,
                std::string_view text, const std::vector<core::LogEvent::Field>& fields) {
  if (g_format == LogFormat::text) {
    if (instance.empty())
      spdlog::log(level, "{}", text);
    else
      spdlog::log(level, "[{}] {}", instance, text);
    return;
  }
  nlohmann::ordered_json line;
  line["ts"] = utc_now();
  const auto level_name = spdlog::level::to_string_view(level);
  line["level"] = std::string(level_name.data(), level_name.size());
  line["node"] = g_node;
  line["instance"] = std::string(instance);
  line["event"] = core::to_string(kind);
  line["text"] = std::string(text);
  for (const auto& [name, value] : fields) line[reserved(name) ? name + "_" : name] = value;
  // Invalid UTF-8 (a Redis error text) is replaced, never thrown on.
  spdlog::log(level, "{}", line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void Log::write(const core::LogEvent& line) const {
  write_line(to_spdlog(line.level), instance_, line.kind, line.text, line.fields);
}

}  // namespace redkeep::actors
