#pragma once
// Log inspection: the lines of several nodes merged into one timeline. Each node's lines come
// as a stream of their own, in that node's order (inspect/spool.hpp separates them, whatever
// the input interleaves: `docker compose logs` prints one container after another); the
// streams are merged by time. A node's own lines are never reordered. Pure.

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "inspect/log_line.hpp"

namespace redkeep::inspect {

/// Merges per-node streams of timed lines by time.
class NodeMerge {
 public:
  /// Gives a stream's next line, nullopt at its end.
  using Next = std::function<std::optional<LogLine>()>;

  /// Adds one node's stream (its lines in the node's order, each with a ts). Of lines of equal
  /// time, the stream added first comes first.
  void add(Next next);
  /// The next line of all streams by time, nullopt at the end. A line stamped earlier than its
  /// node's previous line (the node's clock stepped back) is taken as at the previous one's
  /// time (its own time kept in `stamped`), so it stays in its place in the node's order, and
  /// is counted.
  std::optional<LogLine> next();
  /// Times a node's clock stepped back (a line stamped earlier than the line before it).
  std::uint64_t stepped_back() const { return stepped_back_; }

 private:
  struct Stream {
    Next next;
    std::optional<LogLine> head;
    Millis order = 0;       // the head's place in time
    Millis last = 0;        // the place of the stream's previous line
    Millis last_stamp = 0;  // the previous line's own time
    bool started = false;
  };
  void advance(Stream& s);

  std::vector<Stream> streams_;
  std::uint64_t stepped_back_ = 0;
};

}  // namespace redkeep::inspect
