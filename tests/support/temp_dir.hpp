#pragma once
// A private temporary directory for a test, removed with its files.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <string>

namespace redkeep::test {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "redkeep-test") {
    std::string pattern = "/tmp/" + prefix + "-XXXXXX";
    const char* made = mkdtemp(pattern.data());
    REQUIRE(made != nullptr);
    path_ = made;
  }
  ~TempDir() { std::system(("rm -rf '" + path_ + "'").c_str()); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  /// The path of `name` in the directory.
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  /// Writes `text` to `name` with `mode`; returns its path.
  std::string write(const std::string& name, const std::string& text, mode_t mode) {
    const std::string f = file(name);
    std::ofstream(f) << text;
    ::chmod(f.c_str(), mode);
    return f;
  }

 private:
  std::string path_;
};

}  // namespace redkeep::test
