#include "inspect/inspect_command.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <memory>
#include <tuple>

#include "inspect/merge.hpp"
#include "inspect/report.hpp"
#include "inspect/spool.hpp"
#include "inspect/svg.hpp"
#include "inspect/timeline.hpp"

namespace redkeep::inspect {

namespace fs = std::filesystem;

namespace {

/// Reads an input line by line through a buffer of its own (a character at a time through the
/// stream costs a third of the time of a large log). Lines longer than kMaxLine are cut there.
class LineReader {
 public:
  explicit LineReader(std::istream& in) : in_(in), buf_(1 << 20) {}

  /// The next line without its '\n'; false at the end of the input.
  bool next(std::string& line) {
    line.clear();
    bool any = false;
    for (;;) {
      if (pos_ == end_ && !fill()) return any;
      any = true;
      const char* start = buf_.data() + pos_;
      const auto* nl = static_cast<const char*>(std::memchr(start, '\n', end_ - pos_));
      const std::size_t n = nl != nullptr ? static_cast<std::size_t>(nl - start) : end_ - pos_;
      if (line.size() < kMaxLine) line.append(start, std::min(n, kMaxLine - line.size()));
      pos_ += n;
      if (nl != nullptr) {
        ++pos_;
        return true;
      }
    }
  }

 private:
  bool fill() {
    if (!in_) return false;
    in_.read(buf_.data(), static_cast<std::streamsize>(buf_.size()));
    pos_ = 0;
    end_ = static_cast<std::size_t>(in_.gcount());
    return end_ > 0;
  }

  std::istream& in_;
  std::vector<char> buf_;
  std::size_t pos_ = 0, end_ = 0;
};

std::optional<Millis> parse_option_time(const std::string& text, bool& bad) {
  if (text.empty()) return std::nullopt;
  bool offset = false;
  std::size_t used = 0;
  const auto t = parse_timestamp(text, offset, used);
  if (!t || used != text.size()) bad = true;
  return t;
}

/// A file's fallback node name: "n1.log" -> "n1"; "n1/redkeep.log" -> "n1".
std::string node_of_file(const std::string& path) {
  const std::filesystem::path p(path);
  const auto stem = p.stem().string();
  if (stem == "redkeep" && p.has_parent_path()) return p.parent_path().filename().string();
  return stem;
}

}  // namespace

Summary inspect(const std::vector<Input>& inputs, const std::string& node, Sink& sink,
                std::optional<Millis> until) {
  Analyzer analyzer(sink);
  Spools spools;
  std::string raw;
  for (const auto& input : inputs) {
    LineReader reader(*input.in);
    while (reader.next(raw)) {
      auto line = parse_line(raw, input.fallback_node);
      if (line.kind != LineKind::event || !line.ts) {
        analyzer.count_skipped(line.kind);
        continue;
      }
      if (!node.empty() && line.node != node) continue;
      if (!spools.keep(line, static_cast<std::size_t>(&input - inputs.data())))
        analyzer.count_skipped(LineKind::other);
    }
  }
  NodeMerge merge;
  for (auto* spool : spools.all()) merge.add([spool] { return spool->read(); });
  while (auto line = merge.next()) {
    if (until && *line->ts > *until) break;  // the story as it stood then
    analyzer.add(*line);
  }
  return analyzer.finish(merge.stepped_back());
}

int run_inspect(const InspectOptions& options, std::istream& in, std::ostream& out,
                std::ostream& err) {
  std::optional<Millis> since, until;
  for (const auto& [name, text, value] : {std::tuple{"--since", &options.since, &since},
                                          std::tuple{"--until", &options.until, &until}}) {
    bool bad = false;
    *value = parse_option_time(*text, bad);
    if (bad) {
      err << "redkeep inspect: " << name << " " << *text
          << ": not a time such as 2026-12-01T07:00:00 or 2026-12-01T07:00:00.000+01:00 (UTC "
             "when no offset is given)\n";
      return 2;
    }
  }
  if (since && until && *since > *until) {
    err << "redkeep inspect: --since " << options.since << " is later than --until "
        << options.until << "\n";
    return 2;
  }
  std::vector<std::unique_ptr<std::ifstream>> files;
  std::vector<Input> inputs;
  for (const auto& path : options.files) {
    if (path == "-") {
      inputs.push_back({&in, "stdin"});
      continue;
    }
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      err << "redkeep inspect: cannot read " << path << ": is a directory\n";
      return 1;
    }
    auto f = std::make_unique<std::ifstream>(path, std::ios::binary);
    if (!*f) {
      err << "redkeep inspect: cannot read " << path << ": " << std::strerror(errno) << "\n";
      return 1;
    }
    inputs.push_back({f.get(), node_of_file(path)});
    files.push_back(std::move(f));
  }
  if (options.files.empty()) inputs.push_back({&in, "stdin"});
  // The picture's file is checked before the logs are read, and after the inputs are open:
  // `--svg *.log` would otherwise take the first log for the picture and overwrite it.
  std::ofstream picture;
  if (options.svg) {
    const auto& path = *options.svg;
    auto ext = fs::path(path).extension().string();
    for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (ext != ".svg" || fs::path(path).stem().empty()) {
      err << "redkeep inspect: --svg " << path
          << ": the picture's file name must end in .svg (is a log file after --svg?)\n";
      return 2;
    }
    for (const auto& input : options.files) {
      std::error_code ec;
      if (input != "-" && fs::equivalent(path, input, ec)) {
        err << "redkeep inspect: --svg " << path << " is also a log to read\n";
        return 2;
      }
    }
    picture.open(path, std::ios::binary | std::ios::trunc);
    if (!picture) {
      err << "redkeep inspect: cannot write " << path << ": " << std::strerror(errno) << "\n";
      return 1;
    }
  }

  TextReport text(out);
  JsonReport json(out);
  SvgTimeline svg;
  std::vector<Sink*> sinks{options.json ? static_cast<Sink*>(&json) : &text};
  if (options.svg) sinks.push_back(&svg);
  FanOut fan(sinks);
  WindowSink window(fan, since, until);
  Summary summary;
  try {
    summary = window.restrict(inspect(inputs, options.node, window, until));
  } catch (const std::exception& e) {
    err << "redkeep inspect: " << e.what() << "\n";
    return 1;
  }
  if (options.json)
    json.summary(summary);
  else
    text.summary(summary);
  out.flush();
  if (!out) {
    err << "redkeep inspect: cannot write the report\n";
    return 1;
  }
  if (options.svg) {
    picture << svg.render(summary);
    picture.close();
    if (!picture) {
      err << "redkeep inspect: cannot write " << *options.svg << "\n";
      return 1;
    }
  }
  return 0;
}

}  // namespace redkeep::inspect
