// The keyword table (config/keyword_table.cpp) is the one list of the configuration language.
// These tests keep the other places that name keywords in step with it: the reference in
// config/README.md, the effective-configuration printer, the fuzz seed and dictionary.
#include "config/keyword_table.hpp"

#include <catch2/catch.hpp>
#include <map>
#include <regex>
#include <set>

#include "../../support/files.hpp"
#include "config/parser.hpp"
#include "config/print.hpp"

using namespace redkeep::config;

namespace {

using redkeep::test::read_text;
const std::string& kRoot = redkeep::test::kRepositoryRoot;

/// Keywords of blocks (not the top level's two blocks, which head the README's rows).
std::vector<const KeywordSpec*> block_keywords() {
  std::vector<const KeywordSpec*> out;
  for (const auto& k : keyword_table())
    if (k.block != BlockKind::top) out.push_back(&k);
  return out;
}

/// A line of `text` that starts (after indentation) with `keyword` as a whole word.
bool has_keyword_line(const std::string& text, std::string_view keyword) {
  const std::regex line("(^|\n)[ \t]*" + std::string(keyword) + "([ \t\n{]|$)");
  return std::regex_search(text, line);
}

}  // namespace

TEST_CASE("config/README.md lists every keyword of the keyword table with its default",
          "[config][keywords]") {
  const auto readme = read_text(kRoot + "config/README.md");
  const auto start = readme.find("| block | keyword |");
  REQUIRE(start != std::string::npos);
  // Rows "| BLOCK ... | KEYWORD ... | VALUE |"; an empty first cell continues the block above.
  const std::regex row(R"(\n\| ([^|]*)\| ([a-z_0-9]+)[^|]*\| ([^\n]*) \|)");
  std::map<std::pair<std::string, std::string>, std::string> listed;  // (block, keyword) -> value
  std::string block;
  const std::string table = readme.substr(start, readme.find("\n\n", start) - start);
  for (std::sregex_iterator it(table.begin(), table.end(), row), end; it != end; ++it) {
    const std::string head = (*it)[1];
    if (!head.empty() && head != " ") block = head.substr(0, head.find_first_of(" ("));
    listed[{block, (*it)[2]}] = (*it)[3];
  }
  std::set<std::pair<std::string, std::string>> in_table;
  for (const auto* k : block_keywords()) {
    const std::pair<std::string, std::string> key{block_name(k->block), std::string(k->name)};
    in_table.insert(key);
    INFO(key.first << " " << key.second);
    REQUIRE(listed.count(key) == 1);
    if (!k->default_value.empty())
      CHECK(listed[key].find("(" + std::string(k->default_value)) != std::string::npos);
  }
  for (const auto& [key, value] : listed) {
    INFO("README lists " << key.first << " " << key.second);
    CHECK(in_table.count(key) == 1);
  }
}

TEST_CASE("the effective configuration prints every keyword of the keyword table",
          "[config][keywords]") {
  const auto seed = kRoot + "tests/fixtures/fuzz/config/seed-every-keyword.conf";
  const auto text = read_text(seed);
  auto result = parse_text(text, "seed-every-keyword.conf");
  REQUIRE(result.config);
  const auto printed = format_effective(*result.config);
  for (const auto* k : block_keywords()) {
    INFO(k->name);
    CHECK(has_keyword_line(text, k->name));     // the seed uses it
    CHECK(has_keyword_line(printed, k->name));  // and `redkeep check` prints it
  }
}

TEST_CASE("the defaults of the keyword table are the model's: a minimal configuration prints them",
          "[config][keywords]") {
  auto result = parse_text(
      "vrrp_script chk {\n    script /bin/true\n}\n"
      "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n"
      "    virtual_ipaddress {\n        192.0.2.100/24\n    }\n    redis {\n    }\n"
      "    track_script {\n        chk\n    }\n}\n",
      "minimal.conf");
  REQUIRE(result.config);
  const auto printed = format_effective(*result.config);
  INFO(printed);
  for (const auto* k : block_keywords()) {
    // A default in words ("host name", "global vrrp_version") describes; the others are values.
    if (k->default_value.empty() || k->default_value.find(' ') != std::string_view::npos) continue;
    INFO(k->name << " " << k->default_value);
    const std::regex line("(^|\n)[ \t]*" + std::string(k->name) + " " +
                          std::string(k->default_value) + "([ \t\n]|$)");
    if (k->name == "min_replicas_max_lag") {  // printed only with min_replicas_to_write
      CHECK(std::to_string(RedisSettings{}.min_replicas_max_lag) == k->default_value);
      continue;
    }
    CHECK(std::regex_search(printed, line));
  }
}

TEST_CASE("the fuzz dictionary holds every keyword of the keyword table", "[config][keywords]") {
  const auto dict = read_text(kRoot + "tests/fuzz/config.dict");
  REQUIRE_FALSE(dict.empty());
  for (const auto& k : keyword_table()) {
    INFO(k.name);
    CHECK(dict.find("\"" + std::string(k.name) + "\"") != std::string::npos);
  }
}

TEST_CASE("every keyword of the keyword table has a setter or is a block", "[config][keywords]") {
  for (const auto& k : keyword_table()) {
    INFO(block_name(k.block) << " " << k.name);
    const bool structural = k.kind == ValueKind::block || k.kind == ValueKind::list;
    CHECK(structural == (k.set == nullptr));
    CHECK(find_keyword(k.block, k.name) == &k);  // one row per keyword
  }
}
