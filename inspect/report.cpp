#include "inspect/report.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace redkeep::inspect {

namespace {

using json = nlohmann::ordered_json;

/// Year, month, day of a day count since 1970-01-01 (H. Hinnant's civil_from_days).
void civil_from_days(std::int64_t z, int& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int>(yoe + era * 400 + (m <= 2));
}

std::string rfc3339(Millis t) {
  auto s = format_time(t);
  s[10] = 'T';
  return s + "Z";
}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json span_json(const MasterSpan& s) {
  return json{{"type", "master_span"},   {"instance", s.instance},        {"node", s.node},
              {"from", rfc3339(s.from)}, {"to", rfc3339(s.to)},           {"ms", s.to - s.from},
              {"open", s.open},          {"end_presumed", s.end_presumed}};
}

}  // namespace

std::string format_time(Millis t) {
  const auto days = floor_div(t, 86'400'000);
  const auto in_day = t - days * 86'400'000;
  int y = 0;
  unsigned m = 0, d = 0;
  civil_from_days(days, y, m, d);
  return fmt::format("{:04}-{:02}-{:02} {}", y, m, d, format_clock(in_day));
}

std::string format_clock(Millis t) {
  const auto in_day = t - floor_div(t, 86'400'000) * 86'400'000;
  return fmt::format("{:02}:{:02}:{:02}.{:03}", in_day / 3'600'000, in_day / 60'000 % 60,
                     in_day / 1000 % 60, in_day % 1000);
}

std::string format_duration(Millis d) {
  const auto sign = d < 0 ? "-" : "";
  if (d < 0) d = -d;
  const auto secs = fmt::format("{}.{:03} s", d / 1000 % 60, d % 1000);
  if (d < 60'000) return sign + fmt::format("{}.{:03} s", d / 1000, d % 1000);
  if (d < 3'600'000) return sign + fmt::format("{} min {}", d / 60'000, secs);
  return sign + fmt::format("{} h {} min {}", d / 3'600'000, d / 60'000 % 60, secs);
}

// --- WindowSink, FanOut ----------------------------------------------------------------

void WindowSink::state_change(const StateChange& c) {
  if (inside(c.ts)) next_.state_change(c);
}
void WindowSink::master_span(const MasterSpan& s) {
  if (inside(s.to) || inside(s.from) || (since_ && until_ && s.from < *since_ && s.to > *until_))
    next_.master_span(s);
}
void WindowSink::failover(const Failover& f) {
  if (!inside(f.new_master_at)) return;  // master moved inside the window
  ++failovers_;
  next_.failover(f);
}
void WindowSink::decision(const Decision& d) {
  if (inside(d.ts)) next_.decision(d);
}
void WindowSink::split_brain(const SplitBrain& s) {
  if (!inside(s.from)) return;
  ++split_brains_;
  split_brain_ms_ += s.to - s.from;
  next_.split_brain(s);
}
void WindowSink::clock_note(const ClockNote& n) {
  if (inside(n.ts)) next_.clock_note(n);
}

Summary WindowSink::restrict(Summary s) const {
  s.failovers = failovers_;
  s.split_brains = split_brains_;
  s.split_brain_ms = split_brain_ms_;
  if (s.without_master_from && !inside(*s.without_master_from)) {
    s.longest_without_master = 0;
    s.without_master_from.reset();
  }
  std::vector<Noise> noise;
  for (const auto& n : s.noise)
    if (inside(n.first) || inside(n.last)) noise.push_back(n);
  s.noise = std::move(noise);
  return s;
}

void FanOut::state_change(const StateChange& c) {
  for (auto* s : sinks_) s->state_change(c);
}
void FanOut::master_span(const MasterSpan& m) {
  for (auto* s : sinks_) s->master_span(m);
}
void FanOut::failover(const Failover& f) {
  for (auto* s : sinks_) s->failover(f);
}
void FanOut::decision(const Decision& d) {
  for (auto* s : sinks_) s->decision(d);
}
void FanOut::split_brain(const SplitBrain& b) {
  for (auto* s : sinks_) s->split_brain(b);
}
void FanOut::clock_note(const ClockNote& n) {
  for (auto* s : sinks_) s->clock_note(n);
}

// --- TextReport --------------------------------------------------------------------------

std::string TextReport::when(Millis t) {
  const auto full = format_time(t);
  const auto day = full.substr(0, 10);
  if (day != day_) {
    day_ = day;
    out_ << "--- " << day << " (UTC) ---\n";
  }
  return full.substr(11);
}

void TextReport::state_change(const StateChange& c) {
  out_ << when(c.ts) << "  " << c.node << "  " << c.instance << "  "
       << (c.from.empty() ? "?" : c.from) << " -> " << c.to;
  if (!c.cause.empty() || !c.priority.empty()) {
    out_ << "  (" << c.cause;
    if (!c.priority.empty()) out_ << (c.cause.empty() ? "" : ", ") << "priority " << c.priority;
    out_ << ")";
  }
  out_ << "\n";
}

void TextReport::master_span(const MasterSpan& s) {
  if (s.open) return;  // said in the summary
  out_ << when(s.to) << "  " << s.node << "  " << s.instance << "  was master from "
       << format_clock(s.from) << " to " << format_clock(s.to) << " ("
       << format_duration(s.to - s.from)
       << (s.end_presumed ? "; its end is not in the log: it went silent" : "") << ")\n";
}

void TextReport::failover(const Failover& f) {
  out_ << when(f.start) << "  FAILOVER  " << f.instance << "  " << f.old_master << " -> "
       << f.new_master << "  (first sign " << f.first_sign << ")\n";
  for (const auto& step : f.steps)
    out_ << "    +" << format_duration(step.ts - f.start) << "  " << step.node << "  " << step.what
         << "\n";
  out_ << "    new master after " << format_duration(f.new_master_at - f.start);
  if (f.vip_at) out_ << ", VIP after " << format_duration(*f.vip_at - f.start);
  if (f.promoted_at) out_ << ", Redis promoted after " << format_duration(*f.promoted_at - f.start);
  out_ << "; old master " << f.old_master << ": "
       << (f.old_fate.empty() ? "fate not in the log" : f.old_fate) << "\n";
}

void TextReport::decision(const Decision& d) {
  out_ << when(d.ts) << "  " << d.node << "  " << d.instance << "  [" << d.event << "] " << d.text
       << "\n";
}

void TextReport::split_brain(const SplitBrain& s) {
  out_ << when(s.from) << "  SPLIT BRAIN  " << s.instance << ": ";
  for (std::size_t i = 0; i < s.nodes.size(); ++i) out_ << (i ? " and " : "") << s.nodes[i];
  out_ << " both MASTER for " << format_duration(s.to - s.from) << " (until " << format_clock(s.to)
       << ")\n";
}

void TextReport::clock_note(const ClockNote& n) {
  out_ << when(n.ts) << "  CLOCKS  " << n.text << "\n";
}

void TextReport::summary(const Summary& s) {
  out_ << "\nNoise:\n";
  if (s.noise.empty()) out_ << "  none\n";
  for (const auto& n : s.noise) {
    out_ << "  " << n.node << "  " << (n.instance.empty() ? "-" : n.instance) << "  " << n.event;
    if (!n.key.empty()) out_ << " (" << n.key << ")";
    out_ << ": " << n.lines << " line(s)";
    if (n.count != n.lines) out_ << " standing for " << n.count;
    out_ << " in " << n.bursts << " burst(s), " << format_clock(n.first) << " to "
         << format_clock(n.last) << "\n";
  }
  out_ << "Masters at the end:";
  if (s.open_masters.empty()) out_ << " none";
  for (const auto& m : s.open_masters)
    out_ << " " << m.instance << ": " << m.node << " since " << format_clock(m.from) << ";";
  out_ << "\nSummary: " << s.failovers << " failover(s); longest without a master: ";
  if (s.without_master_from)
    out_ << format_duration(s.longest_without_master) << " (" << s.without_master_instance
         << " from " << format_clock(*s.without_master_from) << ")";
  else
    out_ << "none after the first master";
  out_ << "; split brain: ";
  if (s.split_brains == 0)
    out_ << "none";
  else
    out_ << s.split_brains << " time(s), " << format_duration(s.split_brain_ms) << " in all";
  out_ << "\nRead: " << s.lines << " line(s) from " << s.nodes.size() << " node(s)";
  if (s.first && s.last)
    out_ << ", " << format_time(*s.first) << " to " << format_time(*s.last) << " UTC";
  out_ << "; " << s.events << " of redkeep's, " << s.redis_lines << " of Redis's (skipped), "
       << s.not_understood << " not understood (skipped); a node's clock stepped back "
       << s.stepped_back << " time(s) (its lines kept in their order)\n";
}

// --- JsonReport --------------------------------------------------------------------------

void JsonReport::state_change(const StateChange& c) {
  out_ << dump(json{{"type", "state_change"},
                    {"ts", rfc3339(c.ts)},
                    {"node", c.node},
                    {"instance", c.instance},
                    {"from", c.from},
                    {"to", c.to},
                    {"cause", c.cause},
                    {"priority", c.priority}})
       << "\n";
}

void JsonReport::master_span(const MasterSpan& s) { out_ << dump(span_json(s)) << "\n"; }

void JsonReport::failover(const Failover& f) {
  json steps = json::array();
  for (const auto& s : f.steps)
    steps.push_back(
        {{"ts", rfc3339(s.ts)}, {"node", s.node}, {"what", s.what}, {"after_ms", s.ts - f.start}});
  json j{{"type", "failover"},
         {"instance", f.instance},
         {"old_master", f.old_master},
         {"new_master", f.new_master},
         {"start", rfc3339(f.start)},
         {"first_sign", f.first_sign},
         {"cause", f.cause},
         {"new_master_after_ms", f.new_master_at - f.start},
         {"vip_after_ms", f.vip_at ? json(*f.vip_at - f.start) : json()},
         {"promoted_after_ms", f.promoted_at ? json(*f.promoted_at - f.start) : json()},
         {"old_master_fate", f.old_fate},
         {"discarded_bytes", f.discarded_bytes ? json(*f.discarded_bytes) : json()},
         {"steps", steps}};
  out_ << dump(j) << "\n";
}

void JsonReport::decision(const Decision& d) {
  out_ << dump(json{{"type", "decision"},
                    {"ts", rfc3339(d.ts)},
                    {"node", d.node},
                    {"instance", d.instance},
                    {"event", d.event},
                    {"text", d.text}})
       << "\n";
}

void JsonReport::split_brain(const SplitBrain& s) {
  out_ << dump(json{{"type", "split_brain"},
                    {"instance", s.instance},
                    {"nodes", s.nodes},
                    {"from", rfc3339(s.from)},
                    {"to", rfc3339(s.to)},
                    {"ms", s.to - s.from}})
       << "\n";
}

void JsonReport::clock_note(const ClockNote& n) {
  out_ << dump(json{{"type", "clock_note"}, {"ts", rfc3339(n.ts)}, {"text", n.text}}) << "\n";
}

void JsonReport::summary(const Summary& s) {
  json noise = json::array();
  for (const auto& n : s.noise)
    noise.push_back({{"node", n.node},
                     {"instance", n.instance},
                     {"event", n.event},
                     {"key", n.key},
                     {"lines", n.lines},
                     {"count", n.count},
                     {"bursts", n.bursts},
                     {"first", rfc3339(n.first)},
                     {"last", rfc3339(n.last)}});
  json masters = json::array();
  for (const auto& m : s.open_masters) masters.push_back(span_json(m));
  out_ << dump(json{{"type", "summary"},
                    {"nodes", s.nodes},
                    {"first", s.first ? json(rfc3339(*s.first)) : json()},
                    {"last", s.last ? json(rfc3339(*s.last)) : json()},
                    {"failovers", s.failovers},
                    {"longest_without_master_ms", s.longest_without_master},
                    {"without_master_from",
                     s.without_master_from ? json(rfc3339(*s.without_master_from)) : json()},
                    {"without_master_instance", s.without_master_instance},
                    {"split_brains", s.split_brains},
                    {"split_brain_ms", s.split_brain_ms},
                    {"masters_at_end", masters},
                    {"noise", noise},
                    {"lines", s.lines},
                    {"events", s.events},
                    {"redis_lines", s.redis_lines},
                    {"not_understood", s.not_understood},
                    {"stepped_back", s.stepped_back}})
       << "\n";
}

}  // namespace redkeep::inspect
