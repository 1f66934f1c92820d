// Replays the fuzz seeds and every saved fuzz input through the fuzz targets' own checks
// (tests/fuzz/fuzz_checks.hpp), so a crash found once stays fixed. A new crash input is just
// dropped into tests/fixtures/fuzz/vrrp/ or tests/fixtures/fuzz/config/ (see
// tests/fuzz/README.md). Memory errors are caught here only in a REDKEEP_SANITIZE=ON build; the
// logic checks (round trips, what receive() accepts) in every build.

#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tests/fuzz/fuzz_checks.hpp"

namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

const fs::path kFixtures = REDKEEP_FIXTURES_DIR;

Bytes read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Regular files of `dir` (none when it does not exist) with `extension` ("" = any), sorted;
// README.md and dot files are documentation, not inputs.
std::vector<fs::path> files_in(const fs::path& dir, const std::string& extension = "") {
  std::vector<fs::path> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || name == "README.md" || name[0] == '.') continue;
    if (!extension.empty() && entry.path().extension() != extension) continue;
    out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// A golden vector: hex text after '#' comment lines (as tests/fuzz/make_seeds.py reads it).
Bytes hex_packet(const fs::path& path) {
  std::ifstream in(path);
  std::string line, hex;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t") != std::string::npos &&
        line[line.find_first_not_of(" \t")] == '#') {
      continue;
    }
    for (char c : line) {
      if (std::isxdigit(static_cast<unsigned char>(c))) hex += c;
    }
  }
  Bytes out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

}  // namespace

TEST_CASE("fuzz: the VRRP seeds (keepalived golden vectors) pass the fuzz checks", "[fuzz]") {
  const auto seeds = files_in(kFixtures / "vrrp" / "keepalived", ".hex");
  REQUIRE(seeds.size() >= 10);
  for (const auto& path : seeds) {
    INFO(path.string());
    const Bytes packet = hex_packet(path);
    REQUIRE(packet.size() >= 28);
    CHECK(redkeep::fuzz::check_vrrp(packet.data(), packet.size()) == "");
  }
}

TEST_CASE("fuzz: every saved VRRP fuzz input passes the fuzz checks", "[fuzz]") {
  const auto inputs = files_in(kFixtures / "fuzz" / "vrrp");
  REQUIRE(inputs.size() >= 5);  // the seed-* inputs at least: a missing folder must fail
  for (const auto& path : inputs) {
    INFO(path.string());
    const Bytes input = read_bytes(path);
    CHECK(redkeep::fuzz::check_vrrp(input.data(), input.size()) == "");
  }
}

TEST_CASE("fuzz: the config seeds (examples, fixtures) pass the fuzz checks", "[fuzz]") {
  auto seeds = files_in(kFixtures / ".." / ".." / "examples", ".conf");
  const auto fixtures = files_in(kFixtures / "config", ".conf");
  seeds.insert(seeds.end(), fixtures.begin(), fixtures.end());
  REQUIRE(seeds.size() >= 3);
  for (const auto& path : seeds) {
    INFO(path.string());
    const Bytes text = read_bytes(path);
    CHECK(redkeep::fuzz::check_config(text.data(), text.size()) == "");
  }
}

TEST_CASE("fuzz: every saved config fuzz input passes the fuzz checks", "[fuzz]") {
  const auto inputs = files_in(kFixtures / "fuzz" / "config");
  REQUIRE_FALSE(inputs.empty());  // seed-every-keyword.conf at least
  for (const auto& path : inputs) {
    INFO(path.string());
    const Bytes input = read_bytes(path);
    CHECK(redkeep::fuzz::check_config(input.data(), input.size()) == "");
  }
}

TEST_CASE("fuzz: the checks report a broken round trip", "[fuzz]") {
  // The harness itself must be able to fail: compare() sees every field, and the VRRP check
  // of a valid advert built from an empty input (all zeros) succeeds.
  using redkeep::fuzz::detail::compare;
  redkeep::net::vrrp::Advert a;
  a.addresses = {*redkeep::net::IpAddress::parse("192.0.2.100")};
  auto b = a;
  CHECK(compare(a, b) == "");
  b.auth_data[7] = 1;
  CHECK(compare(a, b) != "");
  b = a;
  b.addresses[0] = *redkeep::net::IpAddress::parse("192.0.2.101");
  CHECK(compare(a, b) != "");
  CHECK(redkeep::fuzz::check_vrrp(nullptr, 0) == "");
  CHECK(redkeep::fuzz::check_config(nullptr, 0) == "");
}
