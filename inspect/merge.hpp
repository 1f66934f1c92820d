#pragma once
// Log inspection (issue 18.3): the lines of several nodes merged into one timeline. Input may
// be interleaved (one stream of `docker compose logs`) or one file after another; lines are
// held back for at most a bounded reorder window of log time, never without bound. Pure.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "inspect/log_line.hpp"

namespace redkeep::inspect {

/// A merged line: the line and whether it came later than the window allowed (it is passed
/// on at once, after lines of a later time: the output says so rather than wait for it).
struct Merged {
  LogLine line;
  bool out_of_order = false;
};

/// Merges timed lines (LineKind::event with a ts) by time. A node's own lines keep their
/// order: a line of a node stamped earlier than that node's previous one (its clock stepped
/// back) is ordered as if at the previous one's time.
class Merger {
 public:
  /// `window`: how far back in log time a line may still be put in its place, milliseconds.
  explicit Merger(Millis window) : window_(window) {}

  /// Takes one line; returns the lines that are due now, in time order.
  std::vector<Merged> push(LogLine line);
  /// The lines still held, in time order (end of input).
  std::vector<Merged> finish();

  /// Lines that came later than the window allowed.
  std::uint64_t out_of_order() const { return out_of_order_; }
  Millis window() const { return window_; }

 private:
  std::vector<Merged> release(Millis up_to);

  Millis window_;
  std::multimap<Millis, LogLine> held_;  // by ordering time, stable for equal times
  std::map<std::string, Millis> last_of_node_;
  Millis newest_ = 0;    // the latest ordering time seen
  Millis released_ = 0;  // everything up to here has been passed on
  bool started_ = false;
  std::uint64_t out_of_order_ = 0;
};

}  // namespace redkeep::inspect
