#pragma once
// Every line redkeep logs goes through here (DESIGN.md section 7): the event is a required typed
// argument, so a line without an event name does not compile, and the chosen format (text or
// JSON, `redkeep run --log-format`) is applied in one place. spdlog writes the lines.

#include <fmt/format.h>
#include <spdlog/common.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/log_event.hpp"

namespace redkeep::actors {

/// How lines are written: `text` (the default, "TIME NODE LEVEL [INSTANCE] sentence") or
/// `json` (one object per line: ts, level, node, instance, event, text and the event's fields).
enum class LogFormat { text, json };

/// One named value of an event: formatted into the sentence where it stands, and in JSON also
/// a member of its own (values are strings). Made with `field`.
struct LogField {
  const char* name;
  std::string value;
};

/// A named value for a log call: `log.info(LogKind::vip_added, "VIP {} added",
/// field("vip", v))` writes the value into the sentence and, in JSON, as "vip".
template <class T>
LogField field(const char* name, const T& value) {
  return {name, fmt::format("{}", value)};
}

/// Sets up spdlog's default logger once, before any line: the format and the node's name
/// (global_defs router_id, else the host name).
void setup_logging(LogFormat format, const std::string& node);

/// Writes one line in the configured format. `instance` is "" for daemon-wide lines. The one
/// place that calls spdlog.
void write_line(spdlog::level::level_enum level, std::string_view instance, core::LogKind kind,
                std::string_view text, const std::vector<core::LogEvent::Field>& fields);

/// Writes the lines of one vrrp_instance (or, with an empty name, of the daemon).
class Log {
 public:
  /// `instance`: the vrrp_instance's name; "" for daemon-wide lines.
  explicit Log(std::string instance = {}) : instance_(std::move(instance)) {}

  /// A line at `level` of kind `kind`, the sentence formatted with fmt; LogField arguments are
  /// also the event's fields.
  template <class... Args>
  void log(spdlog::level::level_enum level, core::LogKind kind, fmt::format_string<Args...> format,
           Args&&... args) const {
    std::vector<core::LogEvent::Field> fields;
    (collect(fields, args), ...);
    write_line(level, instance_, kind, fmt::format(format, std::forward<Args>(args)...), fields);
  }
  /// Writes a line the core decided on (its level, kind, text and fields).
  void write(const core::LogEvent& line) const;

  template <class... Args>
  void info(core::LogKind kind, fmt::format_string<Args...> format, Args&&... args) const {
    log(spdlog::level::info, kind, format, std::forward<Args>(args)...);
  }
  template <class... Args>
  void warn(core::LogKind kind, fmt::format_string<Args...> format, Args&&... args) const {
    log(spdlog::level::warn, kind, format, std::forward<Args>(args)...);
  }
  template <class... Args>
  void error(core::LogKind kind, fmt::format_string<Args...> format, Args&&... args) const {
    log(spdlog::level::err, kind, format, std::forward<Args>(args)...);
  }
  template <class... Args>
  void critical(core::LogKind kind, fmt::format_string<Args...> format, Args&&... args) const {
    log(spdlog::level::critical, kind, format, std::forward<Args>(args)...);
  }

 private:
  static void collect(std::vector<core::LogEvent::Field>& fields, const LogField& f) {
    fields.emplace_back(f.name, f.value);
  }
  template <class T>
  static void collect(std::vector<core::LogEvent::Field>&, const T&) {}

  std::string instance_;
};

/// The daemon's own lines (no instance).
inline const Log& daemon_log() {
  static const Log log;
  return log;
}

}  // namespace redkeep::actors

/// A LogField is written as its value.
template <>
struct fmt::formatter<redkeep::actors::LogField> : fmt::formatter<std::string_view> {
  template <class Context>
  auto format(const redkeep::actors::LogField& f, Context& ctx) const {
    return fmt::formatter<std::string_view>::format(f.value, ctx);
  }
};
