// ctest splits a Catch2 test name at ';' (catch_discover_tests builds a CMake
// list), and the halves then match nothing and "pass". Keep ';' out of names.
#include <catch2/catch.hpp>

TEST_CASE("no test name contains a semicolon", "[meta]") {
  auto& registry = Catch::getRegistryHub().getTestCaseRegistry();
  for (const auto& tc : registry.getAllTests()) {
    INFO(tc.name);
    CHECK(tc.name.find(';') == std::string::npos);
  }
}
