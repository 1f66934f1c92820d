// Log inspection: the timeline drawn as SVG. A tiny cluster fed through the Sink's methods:
// lanes, colours, the failover's label, escaping of names from the logs, the empty input, and
// well-formed XML (checked with python3's parser when there is one).
#include "inspect/svg.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

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
