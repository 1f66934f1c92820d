// DESIGN.md section 3 maps each rule to a function of the core and a test of the same name.
// This keeps the map true: a row without its test, or naming a function its file lacks, fails.
#include <catch2/catch.hpp>
#include <regex>
#include <string>

#include "../support/files.hpp"

namespace {

using redkeep::test::read_text;
const std::string& kRoot = redkeep::test::kRepositoryRoot;

struct Row {
  std::string rule, file, function;
};

std::vector<Row> rule_rows() {
  const auto design = read_text(kRoot + "DESIGN.md");
  const std::regex row(R"(\n\| ([a-z_]+) \| [^|]+ \| ([a-z_/]+\.[a-z]+): ([^|]+?) \|)");
  std::vector<Row> rows;
  for (std::sregex_iterator it(design.begin(), design.end(), row), end; it != end; ++it)
    rows.push_back({(*it)[1], (*it)[2], (*it)[3]});
  return rows;
}

}  // namespace

TEST_CASE("every rule in DESIGN.md has a test and a function", "[meta][rules]") {
  const auto rows = rule_rows();
  REQUIRE(rows.size() >= 20);
  const auto& tests = Catch::getRegistryHub().getTestCaseRegistry().getAllTests();
  for (const auto& r : rows) {
    INFO("rule " << r.rule << " (" << r.file << ": " << r.function << ")");
    const auto prefix = "rule " + r.rule + ":";
    const auto named = std::count_if(tests.begin(), tests.end(),
                                     [&](const auto& t) { return t.name.rfind(prefix, 0) == 0; });
    CHECK(named >= 1);
    const auto source = read_text(kRoot + r.file);
    REQUIRE_FALSE(source.empty());
    // "Instance::reconcile" is defined as "void Instance::reconcile(": the name and "(".
    const auto& f = r.function;
    CHECK(source.find(f.back() == '&' ? f : f + "(") != std::string::npos);
  }
}

TEST_CASE("every rule test is in the map of DESIGN.md", "[meta][rules]") {
  const auto rows = rule_rows();
  const auto& tests = Catch::getRegistryHub().getTestCaseRegistry().getAllTests();
  for (const auto& t : tests) {
    if (t.name.rfind("rule ", 0) != 0) continue;
    const auto name = t.name.substr(5, t.name.find(':') - 5);
    INFO(t.name);
    CHECK(std::any_of(rows.begin(), rows.end(), [&](const Row& r) { return r.rule == name; }));
  }
}
