#include "inspect/log_line.hpp"

#include <array>
#include <cctype>
#include <nlohmann/json.hpp>

#include "inspect/text.hpp"

namespace redkeep::inspect {

namespace {

/// Reads `n` digits at `pos`; nullopt when there are fewer.
std::optional<int> digits(std::string_view s, std::size_t pos, std::size_t n) {
  if (pos + n > s.size()) return std::nullopt;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

constexpr std::array<std::string_view, 7> kLevels = {"trace", "debug", "info",    "warning",
                                                     "warn",  "error", "critical"};

bool is_level(std::string_view word) {
  for (auto l : kLevels)
    if (word == l) return true;
  return false;
}

/// The next space-separated word of `s` (advanced past it and the spaces after).
std::string_view next_word(std::string_view& s) {
  const auto end = std::min(s.find(' '), s.size());
  const auto word = s.substr(0, end);
  s.remove_prefix(end);
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  return word;
}

/// The word `s` starts with (up to its first space).
std::string_view first_word(std::string_view s) { return s.substr(0, s.find(' ')); }

int days_in_month(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

/// `s` without ANSI escape sequences (ESC [ ... final byte, and lone ESCs).
std::string without_escapes(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\x1b') {
      out += s[i];
      continue;
    }
    if (i + 1 < s.size() && s[i + 1] == '[') {
      i += 2;
      while (i < s.size() &&
             (static_cast<unsigned char>(s[i]) < 0x40 || static_cast<unsigned char>(s[i]) > 0x7e))
        ++i;
    }
  }
  return out;
}

/// Control characters (a terminal would act on them) in what the reports print become '?'.
/// So are the C1 controls (U+0080..U+009F: CSI is U+009B) and the bidirectional overrides and
/// isolates (U+202A..U+202E, U+2066..U+2069), which would reorder what the terminal shows.
void scrub(std::string& s) {
  std::size_t out = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    const auto next = i + 1 < s.size() ? static_cast<unsigned char>(s[i + 1]) : 0;
    const auto third = i + 2 < s.size() ? static_cast<unsigned char>(s[i + 2]) : 0;
    if (c < 0x20 || c == 0x7f) {
      s[out++] = '?';
    } else if (c == 0xc2 && next >= 0x80 && next <= 0x9f) {
      s[out++] = '?';
      i += 1;
    } else if (c == 0xe2 && ((next == 0x80 && third >= 0xaa && third <= 0xae) ||
                             (next == 0x81 && third >= 0xa6 && third <= 0xa9))) {
      s[out++] = '?';
      i += 2;
    } else {
      s[out++] = s[i];
    }
  }
  s.resize(out);
}

void scrub(LogLine& line) {
  for (auto* s : {&line.node, &line.level, &line.instance, &line.event, &line.text}) scrub(*s);
  for (auto& [name, value] : line.fields) scrub(value);
}

/// "1:M 01 Dec 2026 07:00:00.123 * ..." (pid:role day month year time level message).
bool is_redis_line(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  if (i == 0 || i + 3 > s.size() || s[i] != ':' || s[i + 2] != ' ') return false;
  return contains("MSCX", s.substr(i + 1, 1)) && digits(s, i + 3, 2).has_value();
}

/// The text between `open` and the matching last `close` after it ("(a, b)" -> "a, b").
std::string_view between(std::string_view s, char open, char close) {
  const auto a = s.find(open);
  const auto b = s.rfind(close);
  if (a == std::string_view::npos || b == std::string_view::npos || b <= a) return {};
  return s.substr(a + 1, b - a - 1);
}

/// Reads a JSON line's members into a LogLine as the parser meets them (SAX: no document is
/// built, which halves the time of a JSON log). Top-level members only; a value that is an
/// object or an array is skipped, a number or a literal is kept as its text.
class JsonLine : public nlohmann::json_sax<nlohmann::json> {
 public:
  explicit JsonLine(LogLine& out) : out_(out) {}
  bool has_event = false;

  bool null() override { return value("null"); }
  bool boolean(bool v) override { return value(v ? "true" : "false"); }
  bool number_integer(number_integer_t v) override { return value(std::to_string(v)); }
  bool number_unsigned(number_unsigned_t v) override { return value(std::to_string(v)); }
  bool number_float(number_float_t, const string_t& text) override { return value(text); }
  bool string(string_t& v) override {
    if (depth_ == 1 && key_ == "event") has_event = true;
    return value(std::move(v));
  }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override {
    if (depth_ == 0 && started_) return false;  // a second document on the line
    started_ = true;
    ++depth_;
    return true;
  }
  bool end_object() override {
    --depth_;
    return true;
  }
  bool start_array(std::size_t) override {
    if (depth_ == 0) return false;  // the line is an array, not an object
    ++depth_;
    return true;
  }
  bool end_array() override {
    --depth_;
    return true;
  }
  bool key(string_t& k) override {
    if (depth_ == 1) key_ = std::move(k);
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  bool value(std::string text) {
    if (depth_ != 1) return depth_ > 1;  // a bare value at the top is not a line of ours
    if (key_ == "ts") {
      bool offset = false;
      std::size_t used = 0;
      out_.ts = parse_timestamp(text, offset, used);
      if (used != text.size()) out_.ts.reset();  // "...Z,", "...+01": not a time of ours
      out_.ts_has_offset = offset;
    } else if (key_ == "level") {
      out_.level = std::move(text);
    } else if (key_ == "node") {
      out_.node = std::move(text);
    } else if (key_ == "instance") {
      out_.instance = std::move(text);
    } else if (key_ == "event") {
      out_.event = std::move(text);
    } else if (key_ == "text") {
      out_.text = std::move(text);
    } else {
      out_.fields[key_] = std::move(text);
    }
    return true;
  }

  LogLine& out_;
  std::string key_;
  int depth_ = 0;
  bool started_ = false;
};

}  // namespace

std::optional<std::string> strip_compose_prefix(std::string_view& line) {
  if (line.empty() || line.front() == '{') return std::nullopt;  // a JSON line: no prefix
  const auto bar = line.find(" | ");
  if (bar == std::string_view::npos || bar == 0) return std::nullopt;
  auto name = line.substr(0, bar);
  while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
  // "node1-1" or "node1_1": a service name, a separator, a replica number; no spaces.
  const auto sep = name.find_last_of("-_");
  if (sep == std::string_view::npos || sep == 0 || sep + 1 >= name.size() ||
      name.find(' ') != std::string_view::npos)
    return std::nullopt;
  for (char c : name.substr(sep + 1))
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  for (char c : name)  // a compose service's name: letters, digits, '_', '.', '-'
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-')
      return std::nullopt;
  std::string service(name.substr(0, sep));
  line.remove_prefix(bar + 3);
  return service;
}

std::optional<Millis> parse_timestamp(std::string_view s, bool& has_offset, std::size_t& consumed) {
  const auto y = digits(s, 0, 4), mo = digits(s, 5, 2), d = digits(s, 8, 2);
  const auto h = digits(s, 11, 2), mi = digits(s, 14, 2), se = digits(s, 17, 2);
  if (!y || !mo || !d || !h || !mi || !se || s[4] != '-' || s[7] != '-' ||
      (s[10] != ' ' && s[10] != 'T') || s[13] != ':' || s[16] != ':')
    return std::nullopt;
  if (*mo < 1 || *mo > 12 || *d < 1 || *d > days_in_month(*y, *mo) || *h > 23 || *mi > 59 ||
      *se > 60)
    return std::nullopt;
  std::size_t pos = 19;
  int ms = 0;
  if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
    ++pos;
    if (pos >= s.size() || !std::isdigit(static_cast<unsigned char>(s[pos])))
      return std::nullopt;  // a separator without a fraction
    int scale = 100;
    while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
      ms += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
  }
  Millis offset_ms = 0;
  has_offset = false;
  if (pos < s.size() && s[pos] == 'Z') {
    has_offset = true;
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    const auto oh = digits(s, pos + 1, 2);
    const bool colon = pos + 3 < s.size() && s[pos + 3] == ':';
    const auto om = digits(s, pos + (colon ? 4 : 3), 2);
    if (oh && om) {
      if (*oh > 23 || *om > 59) return std::nullopt;
      offset_ms = (*oh * 60 + *om) * 60'000LL * (s[pos] == '-' ? -1 : 1);
      has_offset = true;
      pos += colon ? 6 : 5;
    }
  }
  consumed = pos;
  const auto days = days_from_civil(*y, *mo, *d);
  return ((days * 24 + *h) * 60 + *mi) * 60'000LL + *se * 1000LL + ms - offset_ms;
}

std::string classify_text(std::string_view t, std::map<std::string, std::string>& f) {
  if (starts_with(t, "Entering ") && contains(t, " state")) {
    auto rest = t.substr(9);
    f["to"] = std::string(rest.substr(0, rest.find(' ')));
    auto inside = between(t, '(', ')');
    if (const auto p = inside.rfind(", priority "); p != std::string_view::npos) {
      f["priority"] = std::string(inside.substr(p + 11));
      inside = inside.substr(0, p);
    }
    f["cause"] = std::string(inside);
    return "state_change";
  }
  if (starts_with(t, "Master is now ")) {
    auto who = t.substr(14);
    if (starts_with(who, "this node")) {
      f["master"] = std::string(between(who, '(', ')'));
      f["self"] = "true";
    } else {
      f["master"] = std::string(who);
    }
    return "master_change";
  }
  if (starts_with(t, "Master unknown")) return "master_change";
  if (starts_with(t, "VIP released, priority 0 sent")) return "stopping";
  if (starts_with(t, "New master ") && contains(t, " heard; demoting Redis")) return "stop_demote";
  if (starts_with(t, "May take Master again")) return "step_out_ended";
  if (starts_with(t, "Redis refuses to become master")) return "role_refused";
  if (starts_with(t, "Heard another Master, ")) return "lower_master_garp";
  if (starts_with(t, "Made the restarted Redis a replica of nowhere")) return "restart_guard";
  if (starts_with(t, "Connection to Redis closed")) return "redis_connection";
  if (starts_with(t, "Cannot send adverts: ")) return "advert_send_failed";
  if (starts_with(t, "Adverts are sent again")) return "adverts_resumed";
  if (contains(t, "priority 0 advert at exit") || starts_with(t, "Priority 0 advert at exit"))
    return "exit_advert";
  if (starts_with(t, "VIP ")) {
    f["vip"] = std::string(t.substr(4, t.find(' ', 4) - 4));
    if (contains(t, " added on ")) return "vip_added";
    if (contains(t, " removed") || contains(t, "no longer configured")) return "vip_removed";
    if (contains(t, "failed")) return "vip_failed";
  }
  if (starts_with(t, "Redis is ") && contains(t, " but should be ")) return "role_corrected";
  if (starts_with(t, "Redis is now ")) {
    const auto rest = t.substr(13);
    f["role"] = std::string(rest.substr(0, rest.find(" (")));
    if (rest.find(" (") != std::string_view::npos)
      f["detail"] = std::string(between(rest, '(', ')'));
    return "redis_role";
  }
  if (starts_with(t, "Redis role change not yet done: "))
    return contains(t, "refusing to make this Redis a replica") ? "refused_resync" : "role_failed";
  if (starts_with(t, "VRRP_Script(")) {
    f["script"] = std::string(t.substr(12, t.find(')') - 12));
    f["result"] = contains(t, ") succeeded") ? "succeeded" : "failed";
    return "script_state";
  }
  if (starts_with(t, "Track script ") && contains(t, " is still running")) return "script_state";
  if (starts_with(t, "Effective priority ")) {
    const auto rest = t.substr(19);
    f["from"] = std::string(rest.substr(0, rest.find(' ')));
    const auto arrow = rest.find("-> ");
    if (arrow != std::string_view::npos)
      f["to"] = std::string(rest.substr(arrow + 3, rest.find(' ', arrow + 3) - arrow - 3));
    return "priority_change";
  }
  if (((starts_with(t, "notify ") || starts_with(t, "notify_")) && contains(t, " for ")) ||
      starts_with(t, "Stopping: notify scripts"))
    return "notify";
  if (starts_with(t, "PING -> ")) {
    f["result"] = std::string(t.substr(8));
    return "redis_check";
  }
  if (starts_with(t, "Redis ") && (contains(t, " is healthy") || contains(t, " is FAILED"))) {
    f["healthy"] = contains(t, " is healthy") ? "true" : "false";
    return "health";
  }
  if (starts_with(t, "Redis restarted (")) return "redis_restarted";
  if (starts_with(t, "Not eligible to be master: ")) {
    auto reason = t.substr(27);
    f["reason"] = std::string(reason.substr(0, reason.rfind("; advertising priority")));
    return "not_eligible";
  }
  if (starts_with(t, "Eligible to be master again")) return "eligible";
  if (starts_with(t, "Staying out of Master")) return "step_out";
  if (starts_with(t, "Rejected advert (")) {
    f["reason"] = std::string(between(t.substr(0, t.find(')') + 1), '(', ')'));
    if (const auto p = t.rfind(" ["); p != std::string_view::npos && contains(t, " more since"))
      f["suppressed"] = std::string(t.substr(p + 2, t.find(' ', p + 2) - p - 2));
    return "advert_rejected";
  }
  if (contains(t, " terminated (") && contains(t, "; restart ")) {
    f["actor"] = std::string(t.substr(0, t.find(' ')));
    return "actor_restart";
  }
  if (contains(t, " crashed: ")) return "actor_crash";
  if (contains(t, " failed ") && contains(t, "; giving up")) return "actor_gave_up";
  if (starts_with(t, "This replica is behind another")) return "behind_peer";
  if (starts_with(t, "The Master's adverts are overdue")) return "takeover_held";
  if (starts_with(t, "Takeover no longer held")) return "takeover_released";
  if (starts_with(t, "Redis has replica-priority")) return "never_master";
  if (starts_with(t, "Redis preflight: ")) return "preflight";
  if (starts_with(t, "Replication diagnosis: ")) return "link_diagnosis";
  if (starts_with(t, "Met another cut-off Master")) return "floor_tie";
  if (starts_with(t, "Cold start") || contains(t, "cold start")) return "cold_start";
  if (starts_with(t, "Switchover")) {
    if (starts_with(t, "Switchover priority 254 ends")) f["outcome"] = "boost_ended";
    return "switchover";
  }
  if (starts_with(t, "Reload")) return "reload";
  if (starts_with(t, "Received SIG")) return "signal";
  if (starts_with(t, "Started on ")) return "started";
  if (starts_with(t, "Stopped: ")) return "stopped";
  if (starts_with(t, "redkeep stopped")) return "exited";
  if (starts_with(t, "Interface ")) return "link";
  if (starts_with(t, "Election resumed")) return "resumed";
  if (starts_with(t, "Sent ") && contains(t, "gratuitous ARP")) return "garp";
  return "";
}

LogLine parse_line(std::string_view raw, std::string_view fallback_node) {
  LogLine out;
  while (!raw.empty() && (raw.back() == '\n' || raw.back() == '\r')) raw.remove_suffix(1);
  std::string plain;  // the line without colours' escape codes (docker compose logs on a tty)
  if (raw.find('\x1b') != std::string_view::npos) {
    plain = without_escapes(raw);
    raw = plain;
  }
  const auto service = strip_compose_prefix(raw);
  out.node = service ? *service : std::string(fallback_node);
  if (raw.empty()) return out;
  if (raw.front() == '{') {
    JsonLine handler(out);
    if (!nlohmann::json::sax_parse(raw, &handler, nlohmann::json::input_format_t::json, true))
      return out;
    // A line a shipper trimmed (fields, or the event name, left out): the sentence says them.
    std::map<std::string, std::string> said;
    const auto event = out.text.empty() ? std::string() : classify_text(out.text, said);
    if (!handler.has_event) {
      if (event.empty()) return out;
      out.event = event;
    }
    if (event == out.event) out.fields.merge(said);  // what the line itself says stays
    out.kind = LineKind::event;
    scrub(out);
    return out;
  }
  if (is_redis_line(raw)) {
    out.kind = LineKind::redis;
    return out;
  }
  bool offset = false;
  std::size_t used = 0;
  const auto ts = parse_timestamp(raw, offset, used);
  if (!ts) return out;
  auto rest = raw.substr(used);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  auto word = next_word(rest);
  // "TIME NODE LEVEL ...", or "TIME LEVEL ..." (no node); a node may be named like a level.
  if (!is_level(word) || is_level(first_word(rest))) {
    out.node = std::string(word);
    word = next_word(rest);
    if (!is_level(word)) return out;
  }
  out.level = word == "warn" ? "warning" : std::string(word);
  if (starts_with(rest, "[")) {
    const auto close = rest.find("] ");
    if (close != std::string_view::npos) {
      out.instance = std::string(rest.substr(1, close - 1));
      rest.remove_prefix(close + 2);
    }
  }
  out.ts = ts;
  out.ts_has_offset = offset;
  out.text = std::string(rest);
  out.event = classify_text(rest, out.fields);
  out.kind = LineKind::event;
  scrub(out);
  return out;
}

}  // namespace redkeep::inspect
