#pragma once
// Log inspection: the timeline written for people (text) or for tools (JSON Lines, the same
// content), entry by entry as the Analyzer decides them, then the summary.

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "inspect/timeline.hpp"

namespace redkeep::inspect {

/// "2026-12-01 07:13:55.123" (UTC).
std::string format_time(Millis t);
/// "07:13:55.123" (UTC).
std::string format_clock(Millis t);
/// "0.612 s", "2 min 9.766 s", "1 h 2 min 3.000 s".
std::string format_duration(Millis d);

/// Passes on the entries within [since, until] (by their time; a failover by when the new
/// master took over) to another sink and counts what it passed, so the summary can speak of
/// the same window.
class WindowSink : public Sink {
 public:
  WindowSink(Sink& next, std::optional<Millis> since, std::optional<Millis> until)
      : next_(next), since_(since), until_(until) {}
  void state_change(const StateChange& c) override;
  void master_span(const MasterSpan& s) override;
  void failover(const Failover& f) override;
  void decision(const Decision& d) override;
  void split_brain(const SplitBrain& s) override;
  void clock_note(const ClockNote& n) override;

  /// The summary restricted to the window: failovers, split brains and the longest time
  /// without a master counted only when they started inside it.
  Summary restrict(Summary s) const;

 private:
  bool inside(Millis t) const { return (!since_ || t >= *since_) && (!until_ || t <= *until_); }
  Sink& next_;
  std::optional<Millis> since_, until_;
  std::uint64_t failovers_ = 0, split_brains_ = 0;
  Millis split_brain_ms_ = 0;
};

/// Writes every entry to several sinks (the report and the SVG picture).
class FanOut : public Sink {
 public:
  explicit FanOut(std::vector<Sink*> sinks) : sinks_(std::move(sinks)) {}
  void state_change(const StateChange& c) override;
  void master_span(const MasterSpan& s) override;
  void failover(const Failover& f) override;
  void decision(const Decision& d) override;
  void split_brain(const SplitBrain& s) override;
  void clock_note(const ClockNote& n) override;

 private:
  std::vector<Sink*> sinks_;
};

/// The timeline as text: one line per state change, decision and master's span, a block per
/// failover, flagged split brains and clock notes; `summary` at the end.
class TextReport : public Sink {
 public:
  explicit TextReport(std::ostream& out) : out_(out) {}
  void state_change(const StateChange& c) override;
  void master_span(const MasterSpan& s) override;
  void failover(const Failover& f) override;
  void decision(const Decision& d) override;
  void split_brain(const SplitBrain& s) override;
  void clock_note(const ClockNote& n) override;
  /// Noise, who is master at the end, failovers, the longest time without a master, split
  /// brains, and what was read and skipped.
  void summary(const Summary& s);

 private:
  /// The time of an entry, with the date first and again whenever it changes.
  std::string when(Millis t);
  std::ostream& out_;
  std::string day_;
};

/// The same content as JSON Lines: one object per entry, {"type": "state_change" |
/// "master_span" | "failover" | "decision" | "split_brain" | "clock_note" | "summary", ...},
/// times as RFC 3339 UTC strings and durations in milliseconds.
class JsonReport : public Sink {
 public:
  explicit JsonReport(std::ostream& out) : out_(out) {}
  void state_change(const StateChange& c) override;
  void master_span(const MasterSpan& s) override;
  void failover(const Failover& f) override;
  void decision(const Decision& d) override;
  void split_brain(const SplitBrain& s) override;
  void clock_note(const ClockNote& n) override;
  void summary(const Summary& s);

 private:
  std::ostream& out_;
};

}  // namespace redkeep::inspect
