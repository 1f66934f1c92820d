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

/// At most this many nodes are kept apart; lines of further nodes are not understood (a
/// cluster has a handful of nodes: more names are garbage, and each costs a file).
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

/// The nodes' spools, by node name.
class Spools {
 public:
  /// Keeps `line` in its node's spool; false when that node would be one more than kMaxNodes.
  bool keep(const LogLine& line);
  /// The spools, in the order their nodes first appeared.
  std::vector<Spool*> all();

 private:
  std::map<std::string, std::unique_ptr<Spool>> by_node_;
  std::vector<Spool*> order_;
};

}  // namespace redkeep::inspect
