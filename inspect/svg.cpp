#include "inspect/svg.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <set>
#include <string_view>
#include <utility>

#include "inspect/report.hpp"

namespace redkeep::inspect {

namespace {

// Layout, pixels.
constexpr int kWidth = 1000;
constexpr int kLaneLabelRight = 160;  // lane labels end here, right-aligned
constexpr int kPlotLeft = 170;
constexpr int kPlotRight = 955;
constexpr int kLaneHeight = 28;  // one lane's pitch
constexpr int kBarHeight = 22;   // the coloured bar inside it
constexpr int kLabelRowHeight = 14;
constexpr int kMaxLabelRows = 3;
constexpr double kCharWidth = 6.2;         // rough advance of an 11 px sans-serif character
constexpr double kLabelCharWidth = 6.5;    // the same, generously, to keep failover labels apart
constexpr double kLabelMargin = 4;         // failover labels stay this far inside the picture
constexpr double kLabelGap = 8;            // between failover labels on one row
constexpr std::size_t kMaxLaneLabel = 20;  // code points, about 140 px at 12 px

constexpr Millis kDay = 86'400'000;

constexpr const char* kArrow = "\xE2\x86\x92";        // U+2192
constexpr const char* kEllipsis = "\xE2\x80\xA6";     // U+2026
constexpr const char* kReplacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr const char* kRed = "#d32f2f";
constexpr const char* kDarkRed = "#b71c1c";

/// The fill of a known state, nullptr for an unknown one.
const char* state_colour(const std::string& state) {
  if (state == "MASTER") return "#2e7d32";
  if (state == "BACKUP") return "#1565c0";
  if (state == "FAULT") return "#ef6c00";
  if (state == "INIT") return "#9e9e9e";
  if (state == "STOPPED") return "#e0e0e0";
  return nullptr;
}

/// `text` as XML 1.0 character data: invalid UTF-8 (overlong forms, surrogates, beyond
/// U+10FFFF, cut sequences) and characters XML does not allow become U+FFFD.
std::string sanitize(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
        out += kReplacement;
      } else {
        out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0, min = 0;
    if ((c & 0xE0) == 0xC0) {
      len = 2, cp = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3, cp = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4, cp = c & 0x07, min = 0x10000;
    }
    bool ok = len != 0 && i + len <= text.size();
    for (std::size_t k = 1; ok && k < len; ++k) {
      const auto cc = static_cast<unsigned char>(text[i + k]);
      ok = (cc & 0xC0) == 0x80;
      cp = (cp << 6) | (cc & 0x3F);
    }
    ok = ok && cp >= min && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF) && cp != 0xFFFE &&
         cp != 0xFFFF;
    if (ok) {
      out.append(text.substr(i, len));
      i += len;
    } else {
      out += kReplacement;
      ++i;
    }
  }
  return out;
}

/// Whether a code point, though allowed in XML, would change the layout of a one-line label or
/// hide what it says: controls (C0, DEL, C1 with U+0085 NEXT LINE), U+2028 LINE SEPARATOR, U+2029
/// PARAGRAPH SEPARATOR, bidirectional controls, invisible format characters (soft hyphen,
/// zero-width space, word joiner, byte order mark, interlinear annotations). ZWNJ and ZWJ
/// (U+200C, U+200D) stay: scripts and emoji need them.
bool breaks_label(std::uint32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0xAD || cp == 0x61C || cp == 0x180E ||
         cp == 0x200B || cp == 0x200E || cp == 0x200F || (cp >= 0x2028 && cp <= 0x202E) ||
         (cp >= 0x2060 && cp <= 0x206F) || cp == 0xFEFF || (cp >= 0xFFF9 && cp <= 0xFFFB);
}

/// `text` (any bytes) sanitized for a one-line label: what breaks_label() finds becomes U+FFFD.
std::string label_clean(std::string_view text) {
  const std::string clean = sanitize(text);
  std::string out;
  out.reserve(clean.size());
  for (std::size_t i = 0; i < clean.size();) {
    const auto c = static_cast<unsigned char>(clean[i]);
    const std::size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;  // valid UTF-8 here
    std::uint32_t cp = len == 1 ? c : len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
    for (std::size_t k = 1; k < len; ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(clean[i + k]) & 0x3F);
    }
    if (breaks_label(cp)) {
      out += kReplacement;
    } else {
      out.append(clean, i, len);
    }
    i += len;
  }
  return out;
}

/// Escapes already sanitized text for element content and attribute values.
std::string escape_clean(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

/// Any text, from the logs or not, ready for the document.
std::string escape(std::string_view text) { return escape_clean(sanitize(text)); }

/// Code points of valid UTF-8.
std::size_t code_points(std::string_view text) {
  std::size_t n = 0;
  for (const char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

/// Sanitized `clean` (not escaped) shortened to `max` code points (max >= 1), the last being
/// "…", when longer.
std::string shorten(std::string clean, std::size_t max) {
  if (code_points(clean) <= max) return clean;
  std::size_t kept = 0, i = 0;
  for (; i < clean.size(); ++i) {
    if ((static_cast<unsigned char>(clean[i]) & 0xC0) != 0x80 && kept++ == max - 1) break;
  }
  clean.resize(i);
  return clean + kEllipsis;
}

/// `text` (any bytes) as a one-line label, shortened to `max` code points with "…", escaped.
std::string short_label(std::string_view text, std::size_t max) {
  return escape_clean(shorten(label_clean(text), max));
}

/// A coordinate with at most one decimal, whatever the locale.
std::string num(double v) {
  long long t = std::llround(v * 10);
  std::string s = t < 0 ? "-" : "";
  t = std::llabs(t);
  s += std::to_string(t / 10);
  if (t % 10 != 0) {
    s += '.';
    s += static_cast<char>('0' + t % 10);
  }
  return s;
}

/// "0.61 s": milliseconds as seconds, 2 decimals (negative counts as 0).
std::string seconds(Millis ms) {
  if (ms < 0) ms = 0;
  const Millis cs = ms / 10 + (ms % 10 >= 5);
  std::string frac = std::to_string(cs % 100);
  if (frac.size() < 2) frac.insert(0, "0");
  return std::to_string(cs / 100) + "." + frac + " s";
}

Millis ceil_div(Millis a, Millis b) { return -floor_div(-a, b); }

/// "2026-12-01" (UTC).
std::string date_of(Millis t) { return format_time(t).substr(0, 10); }

/// "07:13:55" or "07:13:55.123" (UTC).
std::string clock_of(Millis t, bool with_ms) {
  const auto clock = format_clock(t);
  return with_ms ? clock : clock.substr(0, 8);
}

/// The tick step for [first, last] (first < last): a round step giving 6 to 10 ticks where
/// one does, else as near as can be, milliseconds.
Millis tick_step(Millis first, Millis last) {
  constexpr Millis s = 1000, min = 60 * s, h = 60 * min, d = kDay;
  std::vector<Millis> steps = {
      1,   2,       5,       10,       20,       50,       100,      200,     250,    500,  // ms
      s,   2 * s,   5 * s,   10 * s,   15 * s,   20 * s,   30 * s,                          //
      min, 2 * min, 5 * min, 10 * min, 15 * min, 20 * min, 30 * min,                        //
      h,   2 * h,   3 * h,   4 * h,    6 * h,    12 * h,                                    //
      d,   2 * d,   7 * d,   14 * d,   30 * d,   60 * d,   91 * d,   182 * d, 365 * d};
  const auto count = [&](Millis step) { return floor_div(last, step) - ceil_div(first, step) + 1; };
  while (count(steps.back()) > 10 && steps.back() < std::numeric_limits<Millis>::max() / 4) {
    steps.push_back(steps.back() * 2);
  }
  Millis best = steps.front();
  std::pair<Millis, Millis> best_score{std::numeric_limits<Millis>::max(), 0};
  for (const Millis step : steps) {
    const Millis c = count(step);
    const Millis outside = c < 6 ? 6 - c : c > 10 ? c - 10 : 0;
    const std::pair<Millis, Millis> score{outside, c > 8 ? c - 8 : 8 - c};
    if (score < best_score) best_score = score, best = step;
  }
  return best;
}

/// The small picture for input with no time span.
std::string no_events(const std::string& text) {
  const int w = std::max(240, static_cast<int>(code_points(sanitize(text)) * 7.5) + 40);
  const std::string ws = std::to_string(w);
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + ws +
         "\" height=\"56\" viewBox=\"0 0 " + ws + " 56\" font-family=\"sans-serif\">\n";
  out += "<title>redkeep inspect: " + escape(text) + "</title>\n";
  out += "<rect width=\"" + ws + "\" height=\"56\" fill=\"#ffffff\" stroke=\"#bdbdbd\"/>\n";
  out += "<text x=\"" + num(w / 2.0) +
         "\" y=\"33\" text-anchor=\"middle\" font-size=\"13\" fill=\"#616161\">" + escape(text) +
         "</text>\n";
  out += "</svg>\n";
  return out;
}

}  // namespace

void SvgTimeline::state_change(const StateChange& change) {
  changes_.push_back({change.ts, change.node, change.instance, change.to});
}

void SvgTimeline::failover(const Failover& failover) {
  failovers_.push_back({failover.instance, failover.old_master, failover.new_master, failover.start,
                        failover.new_master_at});
}

void SvgTimeline::split_brain(const SplitBrain& split) {
  splits_.push_back({split.instance, split.nodes, split.from, split.to});
}

std::string SvgTimeline::render(const Summary& summary) const {
  if (!summary.first || !summary.last) return no_events("no events");
  const Millis first = *summary.first, last = *summary.last;
  if (last <= first) {
    return no_events("no events over time: one instant, " + date_of(first) + " " +
                     clock_of(first, true) + " UTC");
  }
  const Millis span = last - first;
  const bool with_ms = span < 10'000;
  const auto x_of = [&](Millis t) {
    t = std::clamp(t, first, last);
    return kPlotLeft +
           static_cast<double>(t - first) * (kPlotRight - kPlotLeft) / static_cast<double>(span);
  };

  // Lanes: nodes in the summary's order, then any others; by instance when there are several.
  std::set<std::string> instances;
  for (const auto& c : changes_) {
    if (!c.instance.empty()) instances.insert(c.instance);
  }
  for (const auto& f : failovers_) {
    if (!f.instance.empty()) instances.insert(f.instance);
  }
  for (const auto& s : splits_) {
    if (!s.instance.empty()) instances.insert(s.instance);
  }
  const bool multi = instances.size() > 1;

  std::vector<std::string> nodes;
  std::set<std::string> seen;
  for (const auto& n : summary.nodes) {
    if (seen.insert(n).second) nodes.push_back(n);
  }
  for (const auto& c : changes_) {
    if (seen.insert(c.node).second) nodes.push_back(c.node);
  }
  std::map<std::string, std::set<std::string>> node_instances;
  if (multi) {
    for (const auto& c : changes_) {
      if (!c.instance.empty()) node_instances[c.node].insert(c.instance);
    }
  }
  struct LaneData {
    std::string node, instance;
    std::vector<const Change*> changes;
  };
  std::vector<LaneData> lanes;
  std::map<std::string, std::vector<std::size_t>> lanes_of_node;
  for (const auto& n : nodes) {
    const auto it = node_instances.find(n);
    if (it == node_instances.end()) {
      lanes_of_node[n].push_back(lanes.size());
      lanes.push_back({n, "", {}});
      continue;
    }
    for (const auto& inst : it->second) {
      lanes_of_node[n].push_back(lanes.size());
      lanes.push_back({n, inst, {}});
    }
  }
  for (const auto& c : changes_) {
    for (const std::size_t i : lanes_of_node[c.node]) {
      if (!multi || c.instance.empty() || lanes[i].instance == c.instance) {
        lanes[i].changes.push_back(&c);
      }
    }
  }
  for (auto& lane : lanes) {
    std::stable_sort(lane.changes.begin(), lane.changes.end(),
                     [](const Change* a, const Change* b) { return a->ts < b->ts; });
  }

  // Failovers in time order, their labels in rows above the lanes. A label goes on the first
  // row where it clears the row's labels and the leader lines passing through the row, and
  // where its own leader line (down from it at the band's start) passes no label on the rows
  // below; with no such row among kMaxLabelRows, it is left out (the band is drawn all the
  // same, its <title> says what the label would). Labels stay inside the picture.
  std::vector<const FailoverMark*> fos;
  for (const auto& f : failovers_) fos.push_back(&f);
  std::stable_sort(fos.begin(), fos.end(), [](const FailoverMark* a, const FailoverMark* b) {
    return a->start < b->start;
  });
  struct FoLabel {
    std::string title;  // the whole label, escaped
    std::string text;   // the label drawn, names shortened, escaped
    double x = 0;
    bool anchor_end = false;
    int row = -1;  // -1: not drawn
  };
  std::vector<FoLabel> fo_labels;
  // What each row holds: the labels' extents and the x of the leader lines passing through it.
  // (At most a few hundred of each: labels do not overlap and leaders come from labels.)
  std::vector<std::vector<std::pair<double, double>>> row_labels(kMaxLabelRows);
  std::vector<std::vector<double>> row_leaders(kMaxLabelRows);
  std::size_t unlabeled = 0;
  for (const auto* f : fos) {
    const auto name = [](const std::string& n) { return n.empty() ? std::string("?") : n; };
    const auto shown_name = [&](const std::string& n) {
      return shorten(label_clean(name(n)), kMaxLaneLabel);
    };
    const bool with_instance = multi && !f->instance.empty();
    const std::string secs = " " + seconds(f->new_master_at - f->start);
    std::string full = "failover " + name(f->old_master) + kArrow + name(f->new_master) + secs;
    std::string shown =
        "failover " + shown_name(f->old_master) + kArrow + shown_name(f->new_master) + secs;
    if (with_instance) {
      full += " (" + f->instance + ")";
      shown += " (" + shorten(label_clean(f->instance), kMaxLaneLabel) + ")";
    }
    FoLabel label;
    label.title = escape(full);
    label.text = escape_clean(shown);
    const double leader = x_of(std::min(f->start, f->new_master_at));
    const double w = static_cast<double>(code_points(shown)) * kLabelCharWidth;
    double left = x_of(f->start), right = left + w;
    label.x = left;
    if (right > kWidth - kLabelMargin) {  // end-anchored, inside the picture
      label.anchor_end = true;
      right = std::min(std::max(left, kLabelMargin + w), kWidth - kLabelMargin);
      left = right - w;
      label.x = right;
    }
    const auto clear = [&](std::size_t r) {
      for (const auto& [from, to] : row_labels[r]) {
        if (right + kLabelGap > from && to + kLabelGap > left) return false;
      }
      for (const double x : row_leaders[r]) {
        if (x + 2 > left && x - 2 < right) return false;
      }
      for (std::size_t below = r + 1; below < kMaxLabelRows; ++below) {
        for (const auto& [from, to] : row_labels[below]) {
          if (leader + 2 > from && leader - 2 < to) return false;
        }
      }
      return true;
    };
    for (std::size_t r = 0; r < kMaxLabelRows; ++r) {
      if (!clear(r)) continue;
      label.row = static_cast<int>(r);
      row_labels[r].emplace_back(left, right);
      for (std::size_t below = r + 1; below < kMaxLabelRows; ++below) {
        row_leaders[below].push_back(leader);
      }
      break;
    }
    if (label.row < 0) ++unlabeled;
    fo_labels.push_back(std::move(label));
  }
  // Rows used: the highest one a label is on.
  int rows = 0;
  for (const auto& label : fo_labels) rows = std::max(rows, label.row + 1);

  const int labels_top = 52;
  const int lanes_top = labels_top + rows * kLabelRowHeight + 6;
  const int lanes_bottom = lanes_top + static_cast<int>(lanes.size()) * kLaneHeight;
  const int axis_y = lanes_bottom + 4;
  const int height = axis_y + 40;
  const std::string hs = std::to_string(height), ws = std::to_string(kWidth);
  const auto bar_top = [&](std::size_t i) {
    return lanes_top + static_cast<int>(i) * kLaneHeight + (kLaneHeight - kBarHeight) / 2;
  };

  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + ws + "\" height=\"" + hs +
         "\" viewBox=\"0 0 " + ws + " " + hs + "\" font-family=\"sans-serif\" font-size=\"11\">\n";

  // Title.
  const bool same_day = date_of(first) == date_of(last);
  std::string title =
      "redkeep inspect: " + date_of(first) + " " + clock_of(first, with_ms) + " " + kArrow + " " +
      (same_day ? "" : date_of(last) + " ") + clock_of(last, with_ms) + " UTC (" +
      format_duration(span) + "), " + std::to_string(failovers_.size()) +
      (failovers_.size() == 1 ? " failover" : " failovers") +
      (unlabeled > 0 ? " (" + std::to_string(unlabeled) + " unlabeled)" : std::string()) + ", " +
      std::to_string(splits_.size()) + (splits_.size() == 1 ? " split brain" : " split brains");
  out += "<title>" + escape(title) + "</title>\n";
  out +=
      "<defs><pattern id=\"hatch\" patternUnits=\"userSpaceOnUse\" width=\"6\" height=\"6\" "
      "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#ffffff\" "
      "fill-opacity=\"0.35\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"" +
      std::string(kRed) + "\" stroke-width=\"2.5\"/></pattern></defs>\n";
  out += "<rect width=\"" + ws + "\" height=\"" + hs + "\" fill=\"#ffffff\"/>\n";
  out += "<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\" fill=\"#212121\">" +
         escape(title) + "</text>\n";

  // Legend.
  {
    struct Item {
      const char* label;
      std::string swatch;  // attributes of the swatch's rect
    };
    const Item items[] = {
        {"MASTER", "fill=\"#2e7d32\""},
        {"BACKUP", "fill=\"#1565c0\""},
        {"FAULT", "fill=\"#ef6c00\""},
        {"INIT", "fill=\"#9e9e9e\""},
        {"STOPPED", "fill=\"#e0e0e0\""},
        {"unknown", "fill=\"#ffffff\" stroke=\"#9e9e9e\""},
        {"failover",
         "fill=\"" + std::string(kRed) + "\" fill-opacity=\"0.3\" stroke=\"" + kRed + "\""},
        {"split brain", "fill=\"url(#hatch)\" stroke=\"" + std::string(kRed) + "\""},
    };
    double x = 10;
    out += "<g class=\"legend\">";
    for (const auto& item : items) {
      out += "<rect x=\"" + num(x) + "\" y=\"30\" width=\"12\" height=\"12\" " + item.swatch +
             "/><text x=\"" + num(x + 16) + "\" y=\"40\" fill=\"#424242\">" + item.label +
             "</text>";
      x += 16 + static_cast<double>(std::string_view(item.label).size()) * kCharWidth + 14;
    }
    out += "</g>\n";
  }

  // Lanes: label, white outlined background (unknown), then a bar per known state.
  for (std::size_t i = 0; i < lanes.size(); ++i) {
    const auto& lane = lanes[i];
    const int top = bar_top(i);
    const std::string full =
        multi && !lane.instance.empty() ? lane.node + " / " + lane.instance : lane.node;
    out += "<g class=\"lane\"><title>" + escape(full) + "</title>";
    out += "<text x=\"" + std::to_string(kLaneLabelRight) + "\" y=\"" +
           std::to_string(top + kBarHeight / 2 + 4) +
           "\" text-anchor=\"end\" font-size=\"12\" fill=\"#212121\">" +
           short_label(full, kMaxLaneLabel) + "</text>";
    out += "<rect x=\"" + std::to_string(kPlotLeft) + "\" y=\"" + std::to_string(top) +
           "\" width=\"" + std::to_string(kPlotRight - kPlotLeft) + "\" height=\"" +
           std::to_string(kBarHeight) + "\" fill=\"#ffffff\" stroke=\"#9e9e9e\"/>";
    const auto bar = [&](Millis from, Millis to, const std::string& state) {
      const char* colour = state_colour(state);
      if (colour == nullptr || to <= from) return;
      const double x0 = x_of(from), w = std::max(x_of(to) - x0, 1.0);
      out += "\n<rect class=\"state\" data-state=\"" + state + "\" x=\"" + num(x0) + "\" y=\"" +
             std::to_string(top) + "\" width=\"" + num(w) + "\" height=\"" +
             std::to_string(kBarHeight) + "\" fill=\"" + colour + "\"/>";
      const std::string word = state == "STOPPED" ? "stopped" : state;
      if (w >= static_cast<double>(word.size()) * kCharWidth + 8) {
        out += "<text x=\"" + num(x0 + 4) + "\" y=\"" + std::to_string(top + kBarHeight / 2 + 4) +
               "\" font-size=\"10\" fill=\"" + (state == "STOPPED" ? "#616161" : "#ffffff") +
               "\">" + word + "</text>";
      }
    };
    Millis from = first;
    std::string state;  // unknown before the first change
    for (const Change* c : lane.changes) {
      const Millis at = std::clamp(c->ts, first, last);
      if (at > from) bar(from, at, state);
      from = std::max(from, at);
      state = c->to;
    }
    bar(from, last, state);
    out += "</g>\n";
  }

  // Time axis, with faint grid lines across the lanes.
  const Millis step = tick_step(first, last);
  const auto tick_label = [&](Millis t) {
    if (step >= kDay) return date_of(t);
    if (span > kDay) return date_of(t).substr(5) + " " + clock_of(t, false).substr(0, 5);
    return clock_of(t, with_ms);
  };
  out += "<g class=\"axis\"><line x1=\"" + std::to_string(kPlotLeft) + "\" y1=\"" +
         std::to_string(axis_y) + "\" x2=\"" + std::to_string(kPlotRight) + "\" y2=\"" +
         std::to_string(axis_y) + "\" stroke=\"#616161\"/>";
  for (Millis t = ceil_div(first, step) * step; t <= last; t += step) {
    const std::string x = num(x_of(t));
    out += "\n<line x1=\"" + x + "\" y1=\"" + std::to_string(lanes_top) + "\" x2=\"" + x +
           "\" y2=\"" + std::to_string(axis_y + 5) +
           "\" stroke=\"#000000\" stroke-opacity=\"0.12\"/><text class=\"tick\" x=\"" + x +
           "\" y=\"" + std::to_string(axis_y + 17) + "\" text-anchor=\"middle\" fill=\"#424242\">" +
           tick_label(t) + "</text>";
    if (last - t < step) break;  // no overflow past the end
  }
  out += "\n<text x=\"" + num((kPlotLeft + kPlotRight) / 2.0) + "\" y=\"" +
         std::to_string(axis_y + 33) + "\" text-anchor=\"middle\" fill=\"#757575\">time (UTC)" +
         "</text></g>\n";

  // Split brains: hatched, red-outlined bands on the lanes of the nodes involved.
  for (const auto& s : splits_) {
    const double x0 = x_of(std::min(s.from, s.to));
    const double w = std::max(x_of(std::max(s.from, s.to)) - x0, 2.0);
    bool labelled = false;
    out += "<g class=\"split-brain\"><title>" +
           escape("split brain" + (s.instance.empty() ? "" : " (" + s.instance + ")") + ", " +
                  seconds(s.to - s.from)) +
           "</title>";
    for (std::size_t i = 0; i < lanes.size(); ++i) {
      const auto& lane = lanes[i];
      if (std::find(s.nodes.begin(), s.nodes.end(), lane.node) == s.nodes.end()) continue;
      if (multi && !lane.instance.empty() && lane.instance != s.instance) continue;
      const int top = bar_top(i);
      out += "<rect x=\"" + num(x0) + "\" y=\"" + std::to_string(top) + "\" width=\"" + num(w) +
             "\" height=\"" + std::to_string(kBarHeight) + "\" fill=\"url(#hatch)\" stroke=\"" +
             kRed + "\" stroke-width=\"1.5\"/>";
      if (!labelled) {
        out += "<text x=\"" + num(x0 + 3) + "\" y=\"" + std::to_string(top + 10) +
               "\" font-size=\"10\" font-weight=\"bold\" fill=\"" + kDarkRed +
               "\" stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\">split brain</text>";
        labelled = true;
      }
    }
    out += "</g>\n";
  }

  // Failovers: a red band across all lanes from the start to the new master's entry.
  for (std::size_t k = 0; k < fos.size(); ++k) {
    const auto* f = fos[k];
    const auto& label = fo_labels[k];
    const double x0 = x_of(std::min(f->start, f->new_master_at));
    const double x1 = x_of(std::max(f->start, f->new_master_at));
    const int label_y = labels_top + label.row * kLabelRowHeight + 10;
    const std::string y0 = std::to_string(lanes_top - 2), y1 = std::to_string(lanes_bottom + 2);
    out += "<g class=\"failover\"><title>" + label.title + "</title>";
    out += "<rect x=\"" + num(x0) + "\" y=\"" + y0 + "\" width=\"" + num(x1 - x0) + "\" height=\"" +
           std::to_string(lanes_bottom - lanes_top + 4) + "\" fill=\"" + kRed +
           "\" fill-opacity=\"0.25\"/>";
    if (label.row >= 0) {  // the leader line, from the label down across the lanes
      out += "<line x1=\"" + num(x0) + "\" y1=\"" + std::to_string(label_y + 3) + "\" x2=\"" +
             num(x0) + "\" y2=\"" + y1 + "\" stroke=\"" + kRed + "\" stroke-dasharray=\"3 2\"/>";
    }
    out += "<line x1=\"" + num(x1) + "\" y1=\"" + y0 + "\" x2=\"" + num(x1) + "\" y2=\"" + y1 +
           "\" stroke=\"" + kRed + "\" stroke-width=\"1.5\"/>";
    if (label.row >= 0) {
      out += "<text x=\"" + num(label.x) + "\" y=\"" + std::to_string(label_y) + "\"" +
             (label.anchor_end ? " text-anchor=\"end\"" : "") + " fill=\"" + kDarkRed + "\">" +
             label.text + "</text>";
    }
    out += "</g>\n";
  }

  out += "</svg>\n";
  return out;
}

}  // namespace redkeep::inspect
