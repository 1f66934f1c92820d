// `redkeep inspect` on logs taken once from the lab (tests/fixtures/inspect/SCENARIO: the
// nodes' logs of one run, n2 in JSON and n1, n3 in text unless the name says json): the text
// and JSON reports match the stored ones, and the story matches what the lab scenario saw.
// REDKEEP_UPDATE_GOLDEN=1 rewrites the stored reports (review the diff).
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "inspect/inspect_command.hpp"
#include "inspect/log_line.hpp"

using namespace redkeep::inspect;
namespace fs = std::filesystem;

namespace {

const fs::path kDir = fs::path(REDKEEP_FIXTURES_DIR) / "inspect";

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

std::string report(const std::string& scenario, bool json) {
  InspectOptions o;
  // The nodes' logs (n1.log, n2.log, n3.log), or one `docker compose logs` stream.
  for (const auto& entry : fs::directory_iterator(kDir / scenario))
    if (entry.path().extension() == ".log") o.files.push_back(entry.path());
  std::sort(o.files.begin(), o.files.end());
  o.json = json;
  std::istringstream none;
  std::ostringstream out, err;
  REQUIRE(run_inspect(o, none, out, err) == 0);
  CHECK(err.str().empty());
  return out.str();
}

/// Compares with the stored report (or stores it when REDKEEP_UPDATE_GOLDEN is set).
void golden(const std::string& scenario, bool json) {
  const auto got = report(scenario, json);
  const auto path = kDir / scenario / (json ? "expected.jsonl" : "expected.txt");
  if (std::getenv("REDKEEP_UPDATE_GOLDEN") != nullptr) std::ofstream(path) << got;
  INFO(path.string());
  CHECK(got == read(path));
}

nlohmann::json summary(const std::string& scenario) {
  std::istringstream lines(report(scenario, true));
  std::string line, last;
  while (std::getline(lines, line))
    if (!line.empty()) last = line;
  return nlohmann::json::parse(last);
}

}  // namespace

TEST_CASE("inspect: the stored lab logs give the stored reports", "[inspect]") {
  for (const char* scenario : {"redis_killed", "redis_killed_json", "link_cut", "isolated_master",
                               "sigterm", "flood", "compose"}) {
    golden(scenario, false);
    golden(scenario, true);
  }
}

TEST_CASE("inspect: the stories of the lab logs are what the lab saw", "[inspect]") {
  // Each scenario's own assertions (tests/lab/scenarios.py): one failover from n1 to n2, n2
  // master at the end; the flood changes nothing.
  for (const char* scenario : {"redis_killed", "redis_killed_json", "link_cut", "sigterm"}) {
    INFO(scenario);
    const auto s = summary(scenario);
    CHECK(s["failovers"] == 1);
    CHECK(s["split_brains"] == 0);
    CHECK(s["masters_at_end"][0]["node"] == "n2");
    CHECK(s["nodes"].size() == 3);
    CHECK(s["not_understood"] == 0);
  }
  // The cut-off master keeps MASTER (not eligible, floored) until it hears n2: both are
  // master meanwhile, and the report says so.
  auto s = summary("isolated_master");
  CHECK(s["failovers"] == 1);
  CHECK(s["split_brains"] == 1);
  // The compose lab (tests/docker/test_compose.py): docker kill of node1, compose stop of
  // node2, node3's redkeep giving up; one stream, container after container, Redis's own
  // lines among them.
  s = summary("compose");
  CHECK(s["failovers"] == 3);
  CHECK(s["split_brains"] == 0);
  CHECK(s["masters_at_end"][0]["node"] == "node2");
  CHECK(s["redis_lines"] > 100);
  std::istringstream lines(report("compose", true));
  std::vector<std::pair<std::string, std::string>> story;
  for (std::string line; std::getline(lines, line);) {
    const auto j = nlohmann::json::parse(line);
    if (j["type"] == "failover") story.emplace_back(j["old_master"], j["new_master"]);
  }
  CHECK(story == std::vector<std::pair<std::string, std::string>>{
                     {"node1", "node2"}, {"node2", "node3"}, {"node3", "node2"}});
  s = summary("flood");
  CHECK(s["failovers"] == 0);
  CHECK(s["masters_at_end"][0]["node"] == "n1");
  std::uint64_t rejected = 0;
  for (const auto& n : s["noise"])
    if (n["event"] == "advert_rejected") rejected += n["count"].get<std::uint64_t>();
  CHECK(rejected > 10'000);  // the flood's packets, summarized in a few lines
}

TEST_CASE("inspect: a text line's sentence gives the event its JSON line names", "[inspect]") {
  // The JSON lines carry both the event and the sentence: classify_text, which reads text
  // logs, must name the same event (and so the text and JSON reports agree).
  int checked = 0;
  for (const auto& entry : fs::recursive_directory_iterator(kDir)) {
    if (entry.path().extension() != ".log") continue;
    std::ifstream in(entry.path());
    std::string raw;
    while (std::getline(in, raw)) {
      const auto line = parse_line(raw, "x");
      if (raw.empty() || raw[0] != '{' || line.kind != LineKind::event) continue;
      std::map<std::string, std::string> fields;
      INFO(raw);
      CHECK(classify_text(line.text, fields) == line.event);
      for (const auto& [name, value] : fields) {
        INFO(name);
        CHECK(line.fields.at(name) == value);
      }
      ++checked;
    }
  }
  CHECK(checked > 50);
}

TEST_CASE("inspect: the picture in docs/operations.md is the lab's link cut as inspect draws it",
          "[inspect]") {
  InspectOptions o;
  for (const char* n : {"n1.log", "n2.log", "n3.log"}) o.files.push_back(kDir / "link_cut" / n);
  const auto svg = fs::temp_directory_path() / "redkeep-inspect-link-cut.svg";
  o.svg = svg.string();
  std::istringstream none;
  std::ostringstream out, err;
  REQUIRE(run_inspect(o, none, out, err) == 0);
  const auto readme_svg = kDir / ".." / ".." / ".." / "docs" / "inspect-link-cut.svg";
  if (std::getenv("REDKEEP_UPDATE_GOLDEN") != nullptr)
    fs::copy_file(svg, readme_svg, fs::copy_options::overwrite_existing);
  CHECK(read(svg) == read(readme_svg));
  fs::remove(svg);
}
