#include "inspect/inspect_command.hpp"

#include <algorithm>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <memory>

#include "inspect/merge.hpp"
#include "inspect/report.hpp"
#include "inspect/svg.hpp"
#include "inspect/timeline.hpp"

namespace redkeep::inspect {

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

/// One input (a file or standard input): its lines parsed and merged within the window, so
/// an interleaved stream (`docker compose logs`) comes out in time order.
class Source {
 public:
  Source(std::istream& in, std::string fallback_node, Millis window, const std::string& node,
         Analyzer& analyzer)
      : reader_(in),
        fallback_(std::move(fallback_node)),
        merger_(window),
        node_(node),
        analyzer_(analyzer) {}

  /// The next merged line, nullptr at the end.
  const Merged* head() {
    std::string raw;
    while (ready_.empty() && !done_) {
      if (!reader_.next(raw)) {
        for (auto& m : merger_.finish()) ready_.push_back(std::move(m));
        done_ = true;
        break;
      }
      auto line = parse_line(raw, fallback_);
      if (line.kind != LineKind::event || !line.ts) {
        analyzer_.count_skipped(line.kind);
        continue;
      }
      if (!node_.empty() && line.node != node_) continue;
      for (auto& m : merger_.push(std::move(line))) ready_.push_back(std::move(m));
    }
    return ready_.empty() ? nullptr : &ready_.front();
  }
  void pop() { ready_.pop_front(); }
  std::uint64_t out_of_order() const { return merger_.out_of_order(); }

 private:
  LineReader reader_;
  std::string fallback_;
  Merger merger_;
  const std::string& node_;
  Analyzer& analyzer_;
  std::deque<Merged> ready_;
  bool done_ = false;
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

Summary inspect(const std::vector<Input>& inputs, Millis window, const std::string& node,
                Sink& sink) {
  Analyzer analyzer(sink);
  std::vector<std::unique_ptr<Source>> sources;
  for (const auto& input : inputs)
    sources.push_back(
        std::make_unique<Source>(*input.in, input.fallback_node, window, node, analyzer));
  // Each input is in time order by now: the earliest head of all goes next.
  for (;;) {
    Source* next = nullptr;
    Millis next_ts = 0;
    for (auto& s : sources) {
      const auto* h = s->head();
      if (h && (!next || *h->line.ts < next_ts)) {
        next = s.get();
        next_ts = *h->line.ts;
      }
    }
    if (!next) break;
    analyzer.add(*next->head());
    next->pop();
  }
  std::uint64_t late = 0;
  for (const auto& s : sources) late += s->out_of_order();
  return analyzer.finish(late, window);
}

int run_inspect(const InspectOptions& options, std::istream& in, std::ostream& out,
                std::ostream& err) {
  bool bad = false;
  const auto since = parse_option_time(options.since, bad);
  const auto until = parse_option_time(options.until, bad);
  if (bad) {
    err << "redkeep inspect: --since/--until take a time such as 2026-12-01T07:00:00 or "
           "2026-12-01T07:00:00.000+01:00 (UTC when no offset is given)\n";
    return 2;
  }
  std::vector<std::unique_ptr<std::ifstream>> files;
  for (const auto& path : options.files) {
    std::error_code ec;
    auto f = std::make_unique<std::ifstream>(path, std::ios::binary);
    if (!*f || std::filesystem::is_directory(path, ec)) {
      err << "redkeep inspect: cannot read " << path << "\n";
      return 1;
    }
    files.push_back(std::move(f));
  }

  TextReport text(out);
  JsonReport json(out);
  SvgTimeline svg;
  std::vector<Sink*> sinks{options.json ? static_cast<Sink*>(&json) : &text};
  if (!options.svg.empty()) sinks.push_back(&svg);
  FanOut fan(sinks);
  WindowSink window(fan, since, until);

  std::vector<Input> inputs;
  if (files.empty()) inputs.push_back({&in, "stdin"});
  for (std::size_t i = 0; i < files.size(); ++i)
    inputs.push_back({files[i].get(), node_of_file(options.files[i])});
  const auto summary = window.restrict(inspect(inputs, options.window, options.node, window));
  if (options.json)
    json.summary(summary);
  else
    text.summary(summary);
  if (!options.svg.empty()) {
    std::ofstream picture(options.svg, std::ios::binary | std::ios::trunc);
    picture << svg.render(summary);
    if (!picture) {
      err << "redkeep inspect: cannot write " << options.svg << "\n";
      return 1;
    }
  }
  return 0;
}

}  // namespace redkeep::inspect
