// Log inspection: the timeline drawn as SVG. A tiny cluster fed through the Sink's methods:
// lanes, colours, the failover's label, escaping of names from the logs, the empty input, and
// well-formed XML (checked with python3's parser when there is one); the layout of many
// failover labels (no overlaps, inside the picture), long names and line breaks in names, the
// span in the title as a human duration.
#include "inspect/svg.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>
#include <utility>
#include <vector>

using namespace redkeep::inspect;

namespace {

/// 2026-12-01 07:13:55.123 UTC in milliseconds since the epoch.
constexpr Millis kT = 1796109235123;

StateChange change(Millis ts, const std::string& node, const std::string& to,
                   const std::string& instance = "HARedis") {
  StateChange c;
  c.ts = ts;
  c.node = node;
  c.instance = instance;
  c.to = to;
  return c;
}

/// n1 Master, n2 and n3 Backup; n1's Redis fails at +10 s, n2 is Master 0.61 s later.
void feed_failover(SvgTimeline& svg) {
  svg.state_change(change(kT, "n1", "MASTER"));
  svg.state_change(change(kT + 50, "n2", "BACKUP"));
  svg.state_change(change(kT + 80, "n3", "BACKUP"));
  svg.state_change(change(kT + 10'000, "n1", "FAULT"));
  svg.state_change(change(kT + 10'610, "n2", "MASTER"));
  Failover f;
  f.instance = "HARedis";
  f.old_master = "n1";
  f.new_master = "n2";
  f.start = kT + 10'000;
  f.new_master_at = kT + 10'610;
  svg.failover(f);
}

Summary summary_of(std::vector<std::string> nodes, Millis first, Millis last) {
  Summary s;
  s.nodes = std::move(nodes);
  s.first = first;
  s.last = last;
  return s;
}

bool starts_as_svg(const std::string& doc) {
  const std::string decl = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  return doc.rfind("<svg", 0) == 0 ||
         (doc.rfind(decl, 0) == 0 && doc.compare(decl.size(), 4, "<svg") == 0);
}

bool ends_as_svg(const std::string& doc) {
  const std::string end = "</svg>\n";
  return doc.size() >= end.size() && doc.compare(doc.size() - end.size(), end.size(), end) == 0;
}

std::size_t count(const std::string& doc, const std::string& what) {
  std::size_t n = 0;
  for (auto at = doc.find(what); at != std::string::npos; at = doc.find(what, at + 1)) ++n;
  return n;
}

/// 0 when python3's XML parser takes the document, -1 when there is no python3.
int xml_check(const std::string& doc, const std::string& name) {
  if (std::system("command -v python3 >/dev/null 2>&1") != 0) return -1;
  const auto dir =
      std::filesystem::temp_directory_path() / ("redkeep-svg-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto file = (dir / name).string();
  std::ofstream(file, std::ios::binary) << doc;
  const int rc = std::system(
      ("python3 -c \"import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.argv[1])\" '" + file +
       "'")
          .c_str());
  std::filesystem::remove_all(dir);
  return rc;
}

Failover failover_of(const std::string& old_master, const std::string& new_master, Millis start,
                     Millis new_master_at, const std::string& instance = "HARedis") {
  Failover f;
  f.instance = instance;
  f.old_master = old_master;
  f.new_master = new_master;
  f.start = start;
  f.new_master_at = new_master_at;
  return f;
}

/// Code points of UTF-8 text in which an XML entity ("&amp;") counts as one.
std::size_t text_chars(const std::string& escaped) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < escaped.size(); ++i) {
    const auto c = static_cast<unsigned char>(escaped[i]);
    if (c == '&') {
      i = escaped.find(';', i);
      REQUIRE(i != std::string::npos);
      ++n;
    } else if ((c & 0xC0) != 0x80) {
      ++n;
    }
  }
  return n;
}

/// A failover label as drawn: its baseline and estimated horizontal extent (6.5 px a character
/// at 11 px), and its text (escaped).
struct LabelBox {
  double left = 0, right = 0, y = 0;
  std::string text;
};

std::vector<LabelBox> failover_labels(const std::string& doc) {
  std::vector<LabelBox> labels;
  // Found by hand, not with one regex over the group: libstdc++'s regex recurses per character
  // and the group's <title> may hold a 10 KB name.
  const std::regex text(
      "<text x=\"([-0-9.]+)\" y=\"([-0-9.]+)\"( text-anchor=\"end\")?[^>]*>([^<]*)</text>");
  const std::string open = "<g class=\"failover\">";
  for (auto at = doc.find(open); at != std::string::npos; at = doc.find(open, at + 1)) {
    const auto end = doc.find("</g>", at);
    REQUIRE(end != std::string::npos);
    const auto t = doc.find("<text ", at);
    if (t == std::string::npos || t > end) continue;  // no label
    const std::string element = doc.substr(t, doc.find("</text>", t) + 7 - t);
    std::smatch m;
    REQUIRE(std::regex_match(element, m, text));
    LabelBox box;
    const double x = std::stod(m[1]), w = static_cast<double>(text_chars(m[4])) * 6.5;
    box.y = std::stod(m[2]);
    box.left = m[3].matched ? x - w : x;
    box.right = box.left + w;
    box.text = m[4];
    labels.push_back(box);
  }
  return labels;
}

/// The leader lines of failovers: x and the vertical range.
struct Leader {
  double x = 0, y1 = 0, y2 = 0;
};

std::vector<Leader> leaders(const std::string& doc) {
  std::vector<Leader> out;
  const std::regex line(
      "<line x1=\"([-0-9.]+)\" y1=\"([-0-9.]+)\" x2=\"[-0-9.]+\" "
      "y2=\"([-0-9.]+)\"[^>]*stroke-dasharray");
  for (auto l = std::sregex_iterator(doc.begin(), doc.end(), line); l != std::sregex_iterator();
       ++l) {
    out.push_back({std::stod((*l)[1]), std::stod((*l)[2]), std::stod((*l)[3])});
  }
  return out;
}

/// The contents of all <text> elements.
std::vector<std::string> texts(const std::string& doc) {
  std::vector<std::string> out;
  const std::regex text("<text[^>]*>([^<]*)</text>");
  for (auto t = std::sregex_iterator(doc.begin(), doc.end(), text); t != std::sregex_iterator();
       ++t) {
    out.push_back((*t)[1]);
  }
  return out;
}

}  // namespace

TEST_CASE("SvgTimeline: lanes, states and the failover of a small cluster", "[inspect]") {
  SvgTimeline svg;
  feed_failover(svg);
  const auto doc = svg.render(summary_of({"n1", "n2", "n3"}, kT, kT + 20'000));

  CHECK(starts_as_svg(doc));
  CHECK(ends_as_svg(doc));
  CHECK(doc.find("<script") == std::string::npos);
  CHECK(doc.find("href") == std::string::npos);
  for (const char* node : {">n1<", ">n2<", ">n3<"}) CHECK(doc.find(node) != std::string::npos);
  // Lane bars in the states' colours (the legend's swatches are not class="state").
  CHECK(std::regex_search(doc, std::regex("<rect class=\"state\"[^>]*fill=\"#2e7d32\"")));
  CHECK(std::regex_search(doc, std::regex("<rect class=\"state\"[^>]*fill=\"#1565c0\"")));
  CHECK(std::regex_search(doc, std::regex("<rect class=\"state\"[^>]*fill=\"#ef6c00\"")));
  // n1 MASTER, n2 MASTER: two master bars.
  CHECK(count(doc, "data-state=\"MASTER\"") == 2);
  // The label uses U+2192, seconds with 2 decimals.
  CHECK(doc.find("failover n1\xE2\x86\x92n2 0.61 s") != std::string::npos);
  // One instance: lanes are labelled by node only.
  CHECK(doc.find("n1 / HARedis") == std::string::npos);
  // 20 s: 6 to 10 ticks, HH:MM:SS without milliseconds.
  const auto ticks = count(doc, "class=\"tick\"");
  CHECK(ticks >= 6);
  CHECK(ticks <= 10);
  CHECK(doc.find(">07:14:00<") != std::string::npos);
  CHECK_FALSE(std::regex_search(doc, std::regex("class=\"tick\"[^>]*>\\d\\d:\\d\\d:\\d\\d\\.")));
  CHECK(doc.find("2026-12-01 07:13:55") != std::string::npos);  // the title's range
  CHECK(xml_check(doc, "failover.svg") == 0);
}

TEST_CASE("SvgTimeline: a state is unknown before the node's first change", "[inspect]") {
  SvgTimeline svg;
  svg.state_change(change(kT + 5'000, "n1", "BACKUP"));
  const auto doc = svg.render(summary_of({"n1"}, kT, kT + 10'000));
  // The only bar starts halfway along the plot, not at its left end.
  std::smatch m;
  REQUIRE(std::regex_search(doc, m, std::regex("data-state=\"BACKUP\" x=\"([0-9.]+)\"")));
  CHECK(std::stod(m[1]) > 500);
  CHECK(count(doc, "class=\"state\"") == 1);
}

TEST_CASE("SvgTimeline: stopped nodes, split brains, several instances", "[inspect]") {
  SvgTimeline svg;
  svg.state_change(change(kT, "n1", "MASTER", "A"));
  svg.state_change(change(kT, "n2", "BACKUP", "A"));
  svg.state_change(change(kT, "n2", "MASTER", "B"));
  svg.state_change(change(kT + 1'000, "n2", "MASTER", "A"));
  svg.state_change(change(kT + 4'000, "n2", "STOPPED", ""));  // daemon-wide: all its lanes
  SplitBrain sb;
  sb.instance = "A";
  sb.nodes = {"n1", "n2"};
  sb.from = kT + 1'000;
  sb.to = kT + 4'000;
  svg.split_brain(sb);
  const auto doc = svg.render(summary_of({"n1", "n2"}, kT, kT + 6'000));

  CHECK(doc.find(">n1 / A<") != std::string::npos);
  CHECK(doc.find(">n2 / A<") != std::string::npos);
  CHECK(doc.find(">n2 / B<") != std::string::npos);
  CHECK(count(doc, "data-state=\"STOPPED\"") == 2);
  CHECK(doc.find(">stopped<") != std::string::npos);
  CHECK(doc.find(">split brain</text>") != std::string::npos);
  // On lanes n1 / A and n2 / A only, plus the legend's swatch.
  CHECK(count(doc, "fill=\"url(#hatch)\"") == 3);
  // Under 10 s: ticks with milliseconds.
  CHECK(std::regex_search(doc, std::regex("class=\"tick\"[^>]*>\\d\\d:\\d\\d:\\d\\d\\.\\d{3}<")));
  CHECK(xml_check(doc, "split.svg") == 0);
}

TEST_CASE("SvgTimeline: 6 to 10 round ticks whatever the span", "[inspect]") {
  for (const Millis span :
       {1'000LL, 7'300LL, 45'000LL, 600'000LL, 3LL * 3'600'000, 2LL * 86'400'000}) {
    CAPTURE(span);
    const auto doc = SvgTimeline().render(summary_of({"n1"}, kT, kT + span));
    const auto ticks = count(doc, "class=\"tick\"");
    CHECK(ticks >= 6);
    CHECK(ticks <= 10);
  }
  // Over a day: the ticks say the date.
  const auto doc = SvgTimeline().render(summary_of({"n1"}, kT, kT + 2 * 86'400'000));
  CHECK(doc.find(">12-02 00:00<") != std::string::npos);
}

TEST_CASE("SvgTimeline: names from the logs are escaped", "[inspect]") {
  SvgTimeline svg;
  const std::string bad = "a<&>\"'b";
  svg.state_change(change(kT, bad, "MASTER"));
  svg.state_change(change(kT, "bad\xFF\x01utf8", "BACKUP"));
  Failover f;
  f.old_master = bad;
  f.new_master = "n2";
  f.start = kT + 100;
  f.new_master_at = kT + 200;
  svg.failover(f);
  const auto doc = svg.render(summary_of({bad}, kT, kT + 1'000));

  CHECK(doc.find(bad) == std::string::npos);
  CHECK(doc.find("a&lt;&amp;&gt;&quot;&apos;b") != std::string::npos);
  CHECK(doc.find("bad\xEF\xBF\xBD\xEF\xBF\xBDutf8") != std::string::npos);
  CHECK(doc.find("failover a&lt;&amp;&gt;&quot;&apos;b\xE2\x86\x92n2 0.10 s") != std::string::npos);
  CHECK(xml_check(doc, "escape.svg") == 0);
}

TEST_CASE("SvgTimeline: no time span gives a small picture saying so", "[inspect]") {
  SvgTimeline svg;
  auto doc = svg.render(Summary{});
  CHECK(starts_as_svg(doc));
  CHECK(ends_as_svg(doc));
  CHECK(doc.find("no events") != std::string::npos);
  CHECK(xml_check(doc, "empty.svg") == 0);

  feed_failover(svg);
  doc = svg.render(summary_of({"n1"}, kT, kT));
  CHECK(starts_as_svg(doc));
  CHECK(ends_as_svg(doc));
  CHECK(doc.find("no events") != std::string::npos);
  CHECK(xml_check(doc, "instant.svg") == 0);
}

TEST_CASE("SvgTimeline: many failovers' labels do not overlap", "[inspect]") {
  SvgTimeline svg;
  svg.state_change(change(kT, "n1", "MASTER"));
  svg.state_change(change(kT, "n2", "BACKUP"));
  constexpr int kFailovers = 30;
  const Millis span = 300'000, every = span / (kFailovers + 1);
  for (int i = 1; i <= kFailovers; ++i) {
    const bool odd = i % 2 != 0;
    svg.failover(
        failover_of(odd ? "n1" : "n2", odd ? "n2" : "n1", kT + i * every, kT + i * every + 610));
  }
  const auto doc = svg.render(summary_of({"n1", "n2"}, kT, kT + span));

  // Every band is drawn, labelled or not.
  CHECK(count(doc, "<g class=\"failover\">") == kFailovers);
  CHECK(count(doc, "fill-opacity=\"0.25\"") == kFailovers);
  const auto labels = failover_labels(doc);
  CHECK(labels.size() >= 8);  // a few rows' worth
  REQUIRE(labels.size() < static_cast<std::size_t>(kFailovers));
  // The title says how many are drawn without a label.
  const auto unlabeled = std::to_string(kFailovers - labels.size()) + " unlabeled";
  CHECK(doc.find("30 failovers (" + unlabeled + "), 0 split brains") != std::string::npos);
  std::set<double> rows;
  for (std::size_t a = 0; a < labels.size(); ++a) {
    rows.insert(labels[a].y);
    CHECK(labels[a].left >= 0);
    CHECK(labels[a].right <= 1000);
    for (std::size_t b = a + 1; b < labels.size(); ++b) {
      if (labels[a].y != labels[b].y) continue;
      CAPTURE(a, b, labels[a].left, labels[a].right, labels[b].left, labels[b].right);
      CHECK((labels[a].right <= labels[b].left || labels[b].right <= labels[a].left));
    }
  }
  CHECK(rows.size() >= 2);
  CHECK(rows.size() <= 3);
  // No leader line runs through another label (a label spans its baseline - 10 to + 3).
  const auto lines = leaders(doc);
  CHECK(lines.size() == labels.size());
  for (const auto& line : lines) {
    for (const auto& label : labels) {
      const bool through_x = line.x > label.left && line.x < label.right;
      const bool through_y = line.y1 < label.y + 3 && line.y2 > label.y - 10;
      CAPTURE(line.x, line.y1, label.left, label.right, label.y);
      CHECK_FALSE((through_x && through_y));
    }
  }
  CHECK(xml_check(doc, "many.svg") == 0);

  // A few failovers far apart are all labelled, on one row, and the title says nothing more.
  SvgTimeline few;
  for (int i = 0; i < 3; ++i) {
    few.failover(failover_of("n1", "n2", kT + i * 100'000, kT + i * 100'000 + 610));
  }
  const auto few_doc = few.render(summary_of({"n1", "n2"}, kT, kT + span));
  const auto few_labels = failover_labels(few_doc);
  CHECK(few_labels.size() == 3);
  for (const auto& label : few_labels) CHECK(label.y == few_labels.front().y);
  CHECK(few_doc.find("unlabeled") == std::string::npos);
  CHECK(few_doc.find("3 failovers, 0 split brains") != std::string::npos);
}

TEST_CASE("SvgTimeline: long names are shortened in failover labels, kept inside", "[inspect]") {
  const std::string huge(10'000, 'x');
  // At the start, in the middle, at the end; the long name old or new master, or the instance.
  for (const Millis at : {0LL, 5'000LL, 9'990LL}) {
    for (int which = 0; which < 3; ++which) {
      CAPTURE(at, which);
      SvgTimeline svg;
      svg.state_change(change(kT, huge, "MASTER", "A"));
      svg.state_change(change(kT, "n2", "BACKUP", "B"));
      svg.failover(failover_of(which == 0 ? huge : "n2", which == 1 ? huge : "n2", kT + at,
                               kT + at + 5, which == 2 ? huge : "A"));
      const auto doc = svg.render(summary_of({huge, "n2"}, kT, kT + 10'000));
      const auto labels = failover_labels(doc);
      REQUIRE(labels.size() == 1);
      const auto& label = labels.front();
      CAPTURE(label.text, label.left, label.right);
      CHECK(label.text.size() < 200);
      // 19 characters of the name, then "…".
      CHECK(label.text.find(std::string(19, 'x') + "\xE2\x80\xA6") != std::string::npos);
      CHECK(label.text.find(std::string(20, 'x')) == std::string::npos);
      CHECK(label.left >= 0);
      CHECK(label.right <= 1000);
      if (which == 0) CHECK(label.text.rfind("failover xxx", 0) == 0);
      if (which == 0) CHECK(label.text.find("\xE2\x86\x92n2 0.01 s (A)") != std::string::npos);
      if (which == 1) CHECK(label.text.rfind("failover n2\xE2\x86\x92xxx", 0) == 0);
      if (which == 2) CHECK(label.text.rfind("failover n2\xE2\x86\x92n2 0.01 s (xxx", 0) == 0);
      // The whole name stays in the failover's <title>.
      CHECK(doc.find("<title>failover " + std::string(which == 0 ? huge : "n2")) !=
            std::string::npos);
      CHECK(xml_check(doc, "long.svg") == 0);
    }
  }
  // A long label near the right end is end-anchored and stays inside.
  SvgTimeline svg;
  svg.failover(failover_of(huge, huge, kT + 10'000, kT + 10'000, huge));
  svg.state_change(change(kT, "n2", "BACKUP", "B"));
  const auto doc = svg.render(summary_of({"n2"}, kT, kT + 10'000));
  const auto labels = failover_labels(doc);
  REQUIRE(labels.size() == 1);
  CHECK(doc.find("text-anchor=\"end\" fill=\"#b71c1c\">failover") != std::string::npos);
  CHECK(labels.front().left >= 0);
  CHECK(labels.front().right <= 1000);
}

TEST_CASE("SvgTimeline: line breaks and format characters in names do not reach labels",
          "[inspect]") {
  // U+2028, U+2029, U+0085, a newline, a tab, U+202E (right-to-left override), U+FEFF; ZWJ stays.
  const std::string name =
      "a\xE2\x80\xA8"
      "b\xE2\x80\xA9"
      "c\xC2\x85"
      "d\ne\tf\xE2\x80\xAEg\xEF\xBB\xBFh\xE2\x80\x8Di";
  SvgTimeline svg;
  svg.state_change(change(kT, name, "MASTER"));
  svg.failover(failover_of(name, "n2", kT + 100, kT + 200));
  const auto doc = svg.render(summary_of({name}, kT, kT + 1'000));
  const std::string fffd = "\xEF\xBF\xBD";
  const std::string shown = "a" + fffd + "b" + fffd + "c" + fffd + "d" + fffd + "e" + fffd + "f" +
                            fffd + "g" + fffd + "h\xE2\x80\x8Di";
  CHECK(doc.find(">" + shown + "</text>") != std::string::npos);
  CHECK(doc.find(">failover " + shown + "\xE2\x86\x92n2 0.10 s</text>") != std::string::npos);
  for (const auto& text : texts(doc)) {
    CAPTURE(text);
    for (const char* bad :
         {"\xE2\x80\xA8", "\xE2\x80\xA9", "\xC2\x85", "\n", "\t", "\xE2\x80\xAE", "\xEF\xBB\xBF"}) {
      CHECK(text.find(bad) == std::string::npos);
    }
  }
  CHECK(xml_check(doc, "breaks.svg") == 0);
}

TEST_CASE("SvgTimeline: the title gives the span as a human duration", "[inspect]") {
  const std::pair<Millis, const char*> cases[] = {
      {612, "(0.612 s)"},
      {20'000, "(20.000 s)"},
      {129'766, "(2 min 9.766 s)"},
      {303'200, "(5 min 3.200 s)"},
      {3'723'000, "(1 h 2 min 3.000 s)"},
      {3LL * 86'400'000 + 5, "(72 h 0 min 0.005 s)"},
  };
  for (const auto& [span, text] : cases) {
    CAPTURE(span);
    const auto doc = SvgTimeline().render(summary_of({"n1"}, kT, kT + span));
    CHECK(doc.find(std::string(" UTC ") + text + ", 0 failovers, 0 split brains</title>") !=
          std::string::npos);
  }
}
