// libFuzzer target for log inspection (inspect/): check_inspect() of fuzz_checks.hpp; a
// finding aborts, so libFuzzer saves the input as a crash artifact. See README.md here.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tests/fuzz/fuzz_checks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bug = redkeep::fuzz::check_inspect(data, size);
  if (!bug.empty()) {
    std::fprintf(stderr, "fuzz_inspect: %s\n", bug.c_str());
    std::abort();
  }
  return 0;
}
