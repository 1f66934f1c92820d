// The tracked scripts of an instance (core/tracked_scripts.hpp): keepalived's rise/fall
// counter of each script, and what the scripts make of the instance (Fault, waiting, the sum
// of the weights).
#include "core/tracked_scripts.hpp"

#include <catch2/catch.hpp>
#include <optional>

using redkeep::config::TrackedScript;
using redkeep::core::ScriptCounter;
using redkeep::core::TrackedScripts;

namespace {

/// A script `name` tracked with `weight` (and `reverse`), counted with `rise`/`fall`.
TrackedScript tracked(const std::string& name, int weight, bool reverse = false, unsigned rise = 1,
                      unsigned fall = 1, bool init_fail = false) {
  TrackedScript t;
  t.script.name = name;
  t.script.script = "/usr/local/bin/" + name;
  t.script.weight = weight;
  t.script.weight_reverse = reverse;
  t.script.rise = rise;
  t.script.fall = fall;
  t.script.init_fail = init_fail;
  t.weight = weight;
  t.weight_reverse = reverse;
  return t;
}

const std::optional<bool> kUnknown = std::nullopt;
const std::optional<bool> kGood = true;
const std::optional<bool> kFailed = false;

}  // namespace

TEST_CASE("ScriptCounter: unknown until the first run, then good after one success",
          "[core][scripts]") {
  ScriptCounter c(2, 3, false);
  CHECK(c.good() == kUnknown);
  CHECK(c.record(true));  // out of unknown: a change
  CHECK(c.good() == kGood);
  CHECK_FALSE(c.record(true));
  CHECK(c.good() == kGood);
}

TEST_CASE(
    "ScriptCounter rise 2 fall 3: a good script fails at the third failure in a row and "
    "is good again at the second success in a row",
    "[core][scripts]") {
  ScriptCounter c(2, 3, false);
  REQUIRE(c.record(true));
  CHECK_FALSE(c.record(false));
  CHECK(c.good() == kGood);
  CHECK_FALSE(c.record(false));
  CHECK(c.good() == kGood);
  CHECK(c.record(false));
  CHECK(c.good() == kFailed);
  CHECK_FALSE(c.record(true));
  CHECK(c.good() == kFailed);
  CHECK(c.record(true));
  CHECK(c.good() == kGood);
}

TEST_CASE("ScriptCounter: a failure in the middle of a rise run starts it again",
          "[core][scripts]") {
  ScriptCounter c(3, 1, false);
  REQUIRE(c.record(false));
  REQUIRE(c.good() == kFailed);
  c.record(true);
  c.record(true);
  CHECK(c.good() == kFailed);
  c.record(false);  // two of three successes, then a failure
  c.record(true);
  c.record(true);
  CHECK(c.good() == kFailed);  // would be good had the run not restarted
  CHECK(c.record(true));
  CHECK(c.good() == kGood);
}

TEST_CASE("ScriptCounter: a success in the middle of a fall run starts it again",
          "[core][scripts]") {
  ScriptCounter c(1, 3, false);
  REQUIRE(c.record(true));
  c.record(false);
  c.record(false);
  c.record(true);  // two of three failures, then a success
  c.record(false);
  c.record(false);
  CHECK(c.good() == kGood);
  CHECK(c.record(false));
  CHECK(c.good() == kFailed);
}

TEST_CASE("ScriptCounter: a first run that fails fails the script whatever fall is",
          "[core][scripts]") {
  ScriptCounter c(2, 3, false);
  CHECK(c.record(false));
  CHECK(c.good() == kFailed);
}

TEST_CASE("ScriptCounter init_fail: failed from the start, good after rise successes",
          "[core][scripts]") {
  ScriptCounter c(2, 3, true);
  CHECK(c.good() == kFailed);
  CHECK_FALSE(c.record(true));
  CHECK(c.good() == kFailed);
  CHECK(c.record(true));
  CHECK(c.good() == kGood);
}

TEST_CASE("ScriptCounter rise 1 fall 1: every run decides", "[core][scripts]") {
  ScriptCounter c(1, 1, false);
  CHECK(c.record(false));
  CHECK(c.good() == kFailed);
  CHECK(c.record(true));
  CHECK(c.good() == kGood);
  CHECK(c.record(false));
  CHECK(c.good() == kFailed);
}

TEST_CASE("verdict: a failing weight-0 script holds the instance in Fault, named with its detail",
          "[core][scripts]") {
  TrackedScripts s({tracked("chk_disk", 0)});
  CHECK(s.record(0, false, "exited with status 1"));
  const auto v = s.verdict();
  CHECK(v.fault == "script chk_disk failed (exited with status 1)");
  CHECK(v.waiting.empty());
  CHECK(v.weight_sum == 0);
  CHECK(s.last_detail(0) == "exited with status 1");
  // Once it succeeds the Fault is over.
  CHECK(s.record(0, true, "exited with status 0"));
  CHECK(s.verdict().fault.empty());
}

TEST_CASE("verdict: a weight-0 reverse script holds the instance in Fault while it succeeds",
          "[core][scripts]") {
  TrackedScripts s({tracked("chk_maintenance", 0, true)});
  s.record(0, false, "exited with status 1");
  CHECK(s.verdict().fault.empty());
  s.record(0, true, "exited with status 0");
  const auto fault = s.verdict().fault;
  CHECK(fault.find("chk_maintenance") != std::string::npos);
  CHECK(fault.find("succeeded") != std::string::npos);
  CHECK(fault.find("reverse") != std::string::npos);
}

TEST_CASE("verdict: a weight-0 script without a result yet keeps the instance waiting, by name",
          "[core][scripts]") {
  TrackedScripts s({tracked("chk_first", 0), tracked("chk_slow", 0)});
  CHECK(s.verdict().waiting == "chk_first");
  s.record(0, true, "exited with status 0");
  auto v = s.verdict();
  CHECK(v.waiting == "chk_slow");
  CHECK(v.fault.empty());
  s.record(1, true, "exited with status 0");
  v = s.verdict();
  CHECK(v.waiting.empty());
  CHECK(v.fault.empty());
}

TEST_CASE("verdict: an init_fail weight-0 script is in Fault before its first run, not waiting",
          "[core][scripts]") {
  TrackedScripts s({tracked("chk", 0, false, 1, 1, true)});
  const auto v = s.verdict();
  CHECK(v.waiting.empty());
  CHECK(v.fault == "script chk failed");
}

TEST_CASE("verdict: a positive weight counts only while its script is good", "[core][scripts]") {
  TrackedScripts s({tracked("chk", 20)});
  CHECK(s.verdict().weight_sum == 0);  // no result yet
  CHECK(s.verdict().waiting.empty());  // only weight-0 scripts hold the instance back
  s.record(0, true, "exited with status 0");
  CHECK(s.verdict().weight_sum == 20);
  s.record(0, false, "exited with status 1");
  CHECK(s.verdict().weight_sum == 0);
  CHECK(s.verdict().fault.empty());
}

TEST_CASE("verdict: a negative weight counts only while its script has failed", "[core][scripts]") {
  TrackedScripts s({tracked("chk", -30)});
  CHECK(s.verdict().weight_sum == 0);
  s.record(0, true, "exited with status 0");
  CHECK(s.verdict().weight_sum == 0);
  s.record(0, false, "exited with status 1");
  CHECK(s.verdict().weight_sum == -30);
  CHECK(s.verdict().fault.empty());
}

TEST_CASE("verdict: reverse with a positive weight lowers the priority while the script is good",
          "[core][scripts]") {
  TrackedScripts s({tracked("chk", 20, true)});
  s.record(0, true, "exited with status 0");
  CHECK(s.verdict().weight_sum == -20);
  s.record(0, false, "exited with status 1");
  CHECK(s.verdict().weight_sum == 0);
}

TEST_CASE(
    "verdict: reverse with a negative weight raises the priority while the script has "
    "failed",
    "[core][scripts]") {
  TrackedScripts s({tracked("chk", -30, true)});
  s.record(0, true, "exited with status 0");
  CHECK(s.verdict().weight_sum == 0);
  s.record(0, false, "exited with status 1");
  CHECK(s.verdict().weight_sum == 30);
}

TEST_CASE("verdict: the track_script entry's weight counts, not the script's own",
          "[core][scripts]") {
  auto t = tracked("chk", 50);
  t.weight = -10;  // `track_script { chk weight -10 }`
  t.weight_reverse = false;
  TrackedScripts s({t});
  s.record(0, false, "exited with status 1");
  CHECK(s.verdict().weight_sum == -10);
}

TEST_CASE("verdict: a weight counts after the script's fall, not at its first failure",
          "[core][scripts]") {
  TrackedScripts s({tracked("chk", -40, false, 1, 2)});
  s.record(0, true, "exited with status 0");
  CHECK_FALSE(s.record(0, false, "exited with status 1"));
  CHECK(s.verdict().weight_sum == 0);
  CHECK(s.record(0, false, "exited with status 1"));
  CHECK(s.verdict().weight_sum == -40);
}

TEST_CASE("verdict: the weights of several scripts add up", "[core][scripts]") {
  TrackedScripts s({tracked("up_good", 10), tracked("up_failed", 5), tracked("down_failed", -20),
                    tracked("down_good", -7), tracked("rev_good", 3, true),
                    tracked("rev_failed", -4, true), tracked("zero_good", 0)});
  const bool results[] = {true, false, false, true, true, false, true};
  for (std::size_t i = 0; i < s.size(); ++i) s.record(i, results[i], "");
  const auto v = s.verdict();
  CHECK(v.weight_sum == 10 - 20 - 3 + 4);
  CHECK(v.fault.empty());
  CHECK(v.waiting.empty());
}

TEST_CASE("TrackedScripts::record ignores an index out of range", "[core][scripts]") {
  TrackedScripts s({tracked("chk", 0)});
  CHECK_FALSE(s.record(1, false, "exited with status 1"));
  CHECK(s.verdict().waiting == "chk");
}
