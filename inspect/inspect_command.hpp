#pragma once
// `redkeep inspect [FILE...]`: the logs of several nodes (files, or standard input) read,
// merged by time and told as one timeline (inspect/README.md).

#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "inspect/log_line.hpp"
#include "inspect/timeline.hpp"

namespace redkeep::inspect {

/// What `redkeep inspect` was asked.
struct InspectOptions {
  std::vector<std::string> files;  ///< none: standard input
  std::string since, until;        ///< "2026-12-01T07:00:00[.mmm][Z|+01:00]"; "" = open
  std::string node;                ///< only this node's lines; "" = every node
  bool json = false;               ///< JSON Lines instead of text
  std::optional<std::string> svg;  ///< also draw the timeline into this file (NAME.svg)
};

/// Longest line taken whole; the rest of a longer one is skipped (it is not understood).
constexpr std::size_t kMaxLine = 64 * 1024;

/// One input: its lines, and the node named by lines that name none (a file's name).
struct Input {
  std::istream* in;
  std::string fallback_node;
};

/// Reads the inputs one after the other, keeps each node's timed lines apart in the order they
/// came (inspect/spool.hpp), then merges the nodes' lines by time and tells `sink` the story;
/// lines of other nodes than `node` (when not empty) are left out, and so is everything after
/// `until` (the story as it stood then: its masters, its open failover). Returns the figures. Bad
/// input is never an error (what is not understood is counted); throws std::runtime_error
/// only when a temporary file cannot be written.
Summary inspect(const std::vector<Input>& inputs, const std::string& node, Sink& sink,
                std::optional<Millis> until = std::nullopt);

/// Runs the inspection ("-" among the files is standard input). Returns 0 when the logs were
/// read (whatever they hold), 1 when a file cannot be read or written (the report included),
/// 2 on a bad option (an unreadable time, --since after --until, --svg not naming a .svg
/// file); errors go to `err`, naming the option or file and why.
int run_inspect(const InspectOptions& options, std::istream& in, std::ostream& out,
                std::ostream& err);

}  // namespace redkeep::inspect
