#pragma once
// Two string tests the log reading uses everywhere (C++17 has neither).

#include <string_view>

namespace redkeep::inspect {

/// Whether `s` starts with `prefix`.
inline bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

/// Whether `part` occurs in `s`.
inline bool contains(std::string_view s, std::string_view part) {
  return s.find(part) != std::string_view::npos;
}

}  // namespace redkeep::inspect
