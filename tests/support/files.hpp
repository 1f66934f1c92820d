#pragma once
// Reading the repository's own files from tests (docs, fixtures, configs).
#include <fstream>
#include <sstream>
#include <string>

namespace redkeep::test {

/// The checkout's top folder, with a trailing '/'.
inline const std::string kRepositoryRoot = std::string(REDKEEP_FIXTURES_DIR) + "/../../";

/// The whole text of `path` ("" when it cannot be read).
inline std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace redkeep::test
