#include "config/decimal.hpp"

namespace redkeep::config {

std::string format_decimal(std::uint64_t units, int decimals) {
  std::uint64_t scale = 1;
  for (int i = 0; i < decimals; ++i) scale *= 10;
  std::string out = std::to_string(units / scale);
  std::uint64_t fraction = units % scale;
  if (fraction) {
    std::string digits = std::to_string(fraction);
    digits.insert(0, decimals - digits.size(), '0');
    while (digits.back() == '0') digits.pop_back();
    out += "." + digits;
  }
  return out;
}

}  // namespace redkeep::config
