#include "config/decimal.hpp"

#include <catch2/catch.hpp>

using redkeep::config::format_decimal;

TEST_CASE("fixed-point values print as decimals without trailing zeros", "[config]") {
  CHECK(format_decimal(150, 2) == "1.5");
  CHECK(format_decimal(100, 2) == "1");
  CHECK(format_decimal(5, 2) == "0.05");
  CHECK(format_decimal(4095, 2) == "40.95");
  CHECK(format_decimal(3000, 3) == "3");
  CHECK(format_decimal(1500, 3) == "1.5");
  CHECK(format_decimal(0, 3) == "0");
}
