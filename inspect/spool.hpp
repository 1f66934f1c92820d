#pragma once
// Log inspection: the timed lines of each node kept aside in a temporary file of its own, in
// the order they came, so an input that interleaves nodes in any way (`docker compose logs`
// prints one container's lines after another's) can be merged by time with memory that does
// not grow with the input. Files are anonymous, in $TMPDIR (else /tmp): gone when closed or at
// exit.

#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "inspect/log_line.hpp"

namespace redkeep::inspect {

/// At most this many streams (a node's lines in one input) are kept apart; lines of further
/// ones are not understood (a cluster has a handful of nodes: more names are garbage, and
/// each costs a file).
constexpr std::size_t kMaxNodes = 256;

/// One node's lines on disk: written in order, then read back in that order.
class Spool {
 public:
  /// Opens an anonymous temporary file in $TMPDIR (else /tmp); throws std::runtime_error,
  /// naming the directory and why, when it cannot.
  Spool();
  /// Appends one line (its parsed form: nothing is parsed twice).
  void write(const LogLine& line);
  /// Reads the lines back from the first, once writing is over; nullopt at the end.
  std::optional<LogLine> read();

 private:
  struct Close {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  std::unique_ptr<std::FILE, Close> file_;
  bool reading_ = false;
  std::string buf_;
};

/// The spools of each node in each input: a node's lines from two files (a rotated log given
/// newest first) are two streams, merged by time like any others.
class Spools {
 public:
  /// Keeps `line` (of input number `input`) in its stream's spool; false when that stream
  /// would be one more than kMaxNodes.
  bool keep(const LogLine& line, std::size_t input);
  /// The spools by node name, then input: merged in this order, lines of equal time come out
  /// the same way whatever the order of the files.
  std::vector<Spool*> all();

 private:
  std::map<std::pair<std::string, std::size_t>, std::unique_ptr<Spool>> streams_;
};

}  // namespace redkeep::inspect
