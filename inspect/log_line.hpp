#pragma once
// Log inspection, one line at a time: what a line of redkeep's log says (its time,
// node, instance, event and fields), in either of its formats, with or without the prefix
// `docker compose logs` adds; Redis's own lines and anything else are told apart. Pure: no
// I/O, never throws.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace redkeep::inspect {

/// Milliseconds since the Unix epoch, UTC.
using Millis = std::int64_t;

/// a / b rounded towards minus infinity (C++ division rounds towards zero); b != 0.
inline Millis floor_div(Millis a, Millis b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

/// What a line is.
enum class LineKind {
  event,  ///< a line of redkeep's
  redis,  ///< a line of redis-server's own log ("1:M 01 Dec 2026 07:00:00.123 * Ready ...")
  other,  ///< anything else (not understood: counted by the caller, never fatal)
};

/// One parsed line.
struct LogLine {
  LineKind kind = LineKind::other;
  std::optional<Millis> ts;  ///< when, UTC
  /// The line said its UTC offset ("+01:00", "Z"); without one the time is read as UTC.
  bool ts_has_offset = false;
  /// The line's own time when it was stamped earlier than its node's previous line (the
  /// node's clock stepped back): NodeMerge then puts `ts` at the previous line's time.
  std::optional<Millis> stamped;
  std::string node;      ///< from the line, else the compose prefix, else the fallback
  std::string level;     ///< "info", "warning", "error", "critical"
  std::string instance;  ///< the vrrp_instance ("" for daemon-wide lines)
  std::string event;     ///< a stable name (state_change, vip_added, ...); "" when unknown
  std::map<std::string, std::string> fields;  ///< the event's values (to, cause, priority, ...)
  std::string text;                           ///< the sentence
};

/// Strips the prefix `docker compose logs` puts before each line ("node1-1  | ",
/// "node1_1 | ", with or without colours' escape codes removed) and returns the service's
/// name ("node1"); nullopt, `line` untouched, when there is none.
std::optional<std::string> strip_compose_prefix(std::string_view& line);

/// "2026-12-01T07:13:55.123+01:00", "2026-12-01 07:13:55.123", "...Z": milliseconds since
/// the epoch, UTC (a time without an offset is read as UTC); `has_offset` says whether it had
/// one. nullopt when `text` does not start with such a time. `consumed` is its length.
std::optional<Millis> parse_timestamp(std::string_view text, bool& has_offset,
                                      std::size_t& consumed);

/// The event name of one of redkeep's sentences ("Entering MASTER state (...)" ->
/// state_change, with fields to, cause, priority), "" when it is none it knows. Used for text
/// lines, which carry no event name of their own.
std::string classify_text(std::string_view text, std::map<std::string, std::string>& fields);

/// Parses one line: a JSON object (redkeep run --log-format json: ts, level, node, instance,
/// event, text and the event's fields), or a text line ("TIME [NODE] LEVEL [INSTANCE] text",
/// with or without the node), or a line of Redis's; the compose prefix is stripped first.
/// `fallback_node` (the file's name) names lines that say no node.
LogLine parse_line(std::string_view line, std::string_view fallback_node);

}  // namespace redkeep::inspect
