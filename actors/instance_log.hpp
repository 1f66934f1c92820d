#pragma once
// The log of one vrrp_instance: every line starts with "[NAME] " (DESIGN.md section 7), written
// through spdlog's default logger so that all lines share one sink and one format.

#include <spdlog/spdlog.h>

#include <string>
#include <utility>

#include "core/log_event.hpp"

namespace redkeep::actors {

/// Writes one instance's lines through spdlog's default logger, each "[NAME] " first.
class InstanceLog {
 public:
  explicit InstanceLog(const std::string& instance) : prefix_("[" + instance + "] ") {}

  /// A line at `level`, formatted with fmt.
  template <class... Args>
  void log(spdlog::level::level_enum level, fmt::format_string<Args...> format,
           Args&&... args) const {
    spdlog::log(level, "{}{}", prefix_, fmt::format(format, std::forward<Args>(args)...));
  }
  /// Writes a log line the core decided on (its level and text).
  void write(const core::LogEvent& line) const {
    log(line.level == core::LogLevel::info   ? spdlog::level::info
        : line.level == core::LogLevel::warn ? spdlog::level::warn
                                             : spdlog::level::err,
        "{}", line.text);
  }
  /// Lines at info, warn, error and critical level.
  template <class... Args>
  void info(fmt::format_string<Args...> format, Args&&... args) const {
    log(spdlog::level::info, format, std::forward<Args>(args)...);
  }
  template <class... Args>
  void warn(fmt::format_string<Args...> format, Args&&... args) const {
    log(spdlog::level::warn, format, std::forward<Args>(args)...);
  }
  template <class... Args>
  void error(fmt::format_string<Args...> format, Args&&... args) const {
    log(spdlog::level::err, format, std::forward<Args>(args)...);
  }
  template <class... Args>
  void critical(fmt::format_string<Args...> format, Args&&... args) const {
    log(spdlog::level::critical, format, std::forward<Args>(args)...);
  }

 private:
  std::string prefix_;
};

}  // namespace redkeep::actors
