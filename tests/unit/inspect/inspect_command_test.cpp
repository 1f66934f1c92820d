// `redkeep inspect` as a command: exit statuses and messages for what the user got wrong, and
// standard input among the files.
#include "inspect/inspect_command.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace redkeep::inspect;
namespace fs = std::filesystem;

namespace {

struct Run {
  int status;
  std::string out, err;
};

Run run(InspectOptions o, const std::string& input = "") {
  std::istringstream in(input);
  std::ostringstream out, err;
  const int status = run_inspect(o, in, out, err);
  return {status, out.str(), err.str()};
}

const std::string kLine =
    "2026-12-01T09:00:00.000+00:00 n1 info [I] Entering MASTER state (startup, priority 100)\n";

}  // namespace

TEST_CASE("inspect: bad options are refused before anything is read", "[inspect]") {
  InspectOptions o;
  o.since = "2026-12-01T10:00:00";
  o.until = "2026-12-01T09:00:00";
  auto r = run(o);
  CHECK(r.status == 2);
  CHECK(r.err.find("--since 2026-12-01T10:00:00 is later than --until") != std::string::npos);

  o = {};
  o.until = "yesterday";
  r = run(o);
  CHECK(r.status == 2);
  CHECK(r.err.find("--until yesterday: not a time") != std::string::npos);

  // `--svg *.log` takes the first log for the picture: refused, the log left alone.
  const auto log = fs::temp_directory_path() / "redkeep-inspect-test-n1.log";
  std::ofstream(log) << kLine;
  o = {};
  o.svg = log.string();
  r = run(o);
  CHECK(r.status == 2);
  CHECK(r.err.find("must end in .svg") != std::string::npos);
  std::ifstream back(log);
  std::string first;
  std::getline(back, first);
  CHECK(first + "\n" == kLine);
  fs::remove(log);
}

TEST_CASE("inspect: files that cannot be read are named with the reason", "[inspect]") {
  InspectOptions o;
  o.files = {"/nonexistent/n1.log"};
  auto r = run(o);
  CHECK(r.status == 1);
  CHECK(r.err == "redkeep inspect: cannot read /nonexistent/n1.log: No such file or directory\n");
  o.files = {fs::temp_directory_path().string()};
  r = run(o);
  CHECK(r.status == 1);
  CHECK(r.err.find("is a directory") != std::string::npos);
  o = {};
  o.svg = "/nonexistent/picture.svg";
  r = run(o, kLine);
  CHECK(r.status == 1);
  CHECK(r.out.empty());  // refused before the logs were read
}

TEST_CASE("inspect: '-' is standard input, beside files", "[inspect]") {
  const auto log = fs::temp_directory_path() / "redkeep-inspect-test-n2.log";
  std::ofstream(log) << "2026-12-01T09:00:05.000+00:00 n2 info [I] Entering MASTER state "
                        "(master down timer expired, priority 90)\n";
  InspectOptions o;
  o.files = {"-", log.string()};
  o.json = true;
  const auto r = run(o, kLine);
  CHECK(r.status == 0);
  CHECK(r.out.find(R"("failovers":1)") != std::string::npos);
  fs::remove(log);
}

TEST_CASE("inspect: the spool files go to $TMPDIR, and a missing one is named", "[inspect]") {
  const char* before = std::getenv("TMPDIR");
  const std::string saved = before != nullptr ? before : "";
  ::setenv("TMPDIR", "/nonexistent-redkeep-tmp", 1);
  InspectOptions o;
  const auto r = run(o, kLine);
  if (before != nullptr)
    ::setenv("TMPDIR", saved.c_str(), 1);
  else
    ::unsetenv("TMPDIR");
  CHECK(r.status == 1);
  CHECK(r.err ==
        "redkeep inspect: cannot open a temporary file in /nonexistent-redkeep-tmp (TMPDIR): No "
        "such file or directory\n");
}

TEST_CASE("inspect: --until tells the story as it stood then", "[inspect]") {
  InspectOptions o;
  o.json = true;
  o.until = "2026-12-01T09:00:03";
  const auto r = run(o, kLine +
                            "2026-12-01T09:00:05.000+00:00 n2 info [I] Entering MASTER state "
                            "(master down timer expired, priority 90)\n");
  CHECK(r.status == 0);
  CHECK(r.out.find(R"("failovers":0)") != std::string::npos);
  CHECK(r.out.find(R"("masters_at_end":[{"type":"master_span","instance":"I","node":"n1")") !=
        std::string::npos);
}

TEST_CASE("inspect: --svg never names a log to read", "[inspect]") {
  const auto log = fs::temp_directory_path() / "redkeep-inspect-test-picture.svg";
  std::ofstream(log) << kLine;
  InspectOptions o;
  o.files = {log.string()};
  o.svg = log.string();
  const auto r = run(o);
  CHECK(r.status == 2);
  CHECK(r.err.find("is also a log to read") != std::string::npos);
  CHECK(fs::file_size(log) == kLine.size());
  fs::remove(log);
}
