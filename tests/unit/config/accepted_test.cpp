// The accepted-configuration fixtures (tests/fixtures/config/accepted) that the lab test
// `accepted_configs` runs: each passes `check`, and together they use every keyword of the
// keyword table, so a keyword that `check` accepts but `run` cannot carry out is run there.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "config/keywords.hpp"
#include "config/parser.hpp"

using namespace redkeep::config;

namespace {

const std::string kDir = REDKEEP_FIXTURES_DIR "/config/accepted";

std::vector<std::string> fixtures() {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(kDir))
    if (e.path().extension() == ".conf") out.push_back(e.path().string());
  return out;
}

/// The first word of every line (comments and braces aside): the keywords a file uses.
std::set<std::string> first_words(const std::string& path) {
  std::ifstream in(path);
  std::set<std::string> words;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream s(line);
    std::string w;
    if (s >> w) words.insert(w);
  }
  return words;
}

}  // namespace

TEST_CASE("every accepted-configuration fixture passes check without an error", "[config]") {
  const auto files = fixtures();
  REQUIRE(files.size() >= 5);
  for (const auto& f : files) {
    INFO(f);
    const LoadResult r = load_file(f);
    std::string text;
    for (const Diagnostic& d : r.diagnostics) text += d.to_string() + "\n";
    INFO(text);
    CHECK(r.ok());
  }
}

TEST_CASE("the accepted-configuration fixtures use every keyword of the keyword table",
          "[config]") {
  std::set<std::string> used;
  for (const auto& f : fixtures()) {
    auto words = first_words(f);
    used.insert(words.begin(), words.end());
  }
  for (BlockKind block : {BlockKind::top, BlockKind::global_defs, BlockKind::vrrp_instance,
                          BlockKind::authentication, BlockKind::redis, BlockKind::vrrp_script}) {
    for (std::string_view k : supported_keywords(block)) {
      INFO(block_name(block) << ": " << k);
      CHECK(used.count(std::string(k)) == 1);
    }
  }
}
