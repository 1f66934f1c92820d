// Log inspection: one line of either format, with or without the compose prefix,
// Redis's own lines, and lines nobody wrote on purpose.
#include "inspect/log_line.hpp"

#include <catch2/catch.hpp>

using namespace redkeep::inspect;

namespace {

/// 2026-12-01 07:13:55.123 UTC in milliseconds since the epoch.
constexpr Millis kT = 1796109235123;

}  // namespace

TEST_CASE("parse_timestamp: ISO 8601 with or without an offset, milliseconds", "[inspect]") {
  bool offset = false;
  std::size_t used = 0;
  CHECK(parse_timestamp("2026-12-01 07:13:55.123 info", offset, used) == kT);
  CHECK_FALSE(offset);
  CHECK(used == 23);
  CHECK(parse_timestamp("2026-12-01T07:13:55.123Z", offset, used) == kT);
  CHECK(offset);
  CHECK(parse_timestamp("2026-12-01T08:13:55.123+01:00 n1", offset, used) == kT);
  CHECK(used == 29);
  CHECK(parse_timestamp("2026-12-01T02:13:55.123-0500", offset, used) == kT);
  CHECK(parse_timestamp("1970-01-01T00:00:00Z", offset, used) == 0);
  CHECK_FALSE(parse_timestamp("2026-13-01 07:13:55", offset, used));
  CHECK_FALSE(parse_timestamp("2026-12-01", offset, used));
  CHECK_FALSE(parse_timestamp("", offset, used));
}

TEST_CASE("parse_line: redkeep's text lines, with and without the node", "[inspect]") {
  auto l = parse_line(
      "2026-12-01 07:13:55.123 info [HARedis] Entering MASTER state (priority 0 advert from "
      "192.0.2.11, priority 100)",
      "n2.log");
  CHECK(l.kind == LineKind::event);
  CHECK(l.ts == kT);
  CHECK(l.node == "n2.log");
  CHECK(l.level == "info");
  CHECK(l.instance == "HARedis");
  CHECK(l.event == "state_change");
  CHECK(l.fields["to"] == "MASTER");
  CHECK(l.fields["cause"] == "priority 0 advert from 192.0.2.11");
  CHECK(l.fields["priority"] == "100");

  l = parse_line("2026-12-01T07:13:55.123+00:00 n1 warning [HARedis] PING -> Failed (refused)",
                 "x");
  CHECK(l.node == "n1");
  CHECK(l.ts_has_offset);
  CHECK(l.event == "redis_check");
  CHECK(l.fields["result"] == "Failed (refused)");

  l = parse_line(
      "2026-12-01 07:13:55.123 error election[HARedis] terminated (runtime_error: "
      "boom); restart 1 of 5 in 0 ms",
      "n1");
  CHECK(l.instance.empty());
  CHECK(l.event == "actor_restart");
  CHECK(l.fields["actor"] == "election[HARedis]");
}

TEST_CASE("classify_text: the events an operator asks about", "[inspect]") {
  std::map<std::string, std::string> f;
  CHECK(classify_text("VIP 192.0.2.100/24 added on eth0", f) == "vip_added");
  CHECK(f["vip"] == "192.0.2.100/24");
  CHECK(classify_text("VIP 192.0.2.100/24 removed on eth0", f) == "vip_removed");
  CHECK(classify_text("Redis is now replica of 192.0.2.12 (REPLICAOF 192.0.2.12 6379)", f) ==
        "redis_role");
  CHECK(f["role"] == "replica of 192.0.2.12");
  CHECK(classify_text("Master is now this node (192.0.2.11)", f) == "master_change");
  CHECK(f["master"] == "192.0.2.11");
  CHECK(classify_text("Not eligible to be master: Redis is LOADING its data; advertising "
                      "priority 1",
                      f) == "not_eligible");
  CHECK(f["reason"] == "Redis is LOADING its data");
  CHECK(classify_text("Rejected advert (auth_password): from 192.0.2.9", f) == "advert_rejected");
  CHECK(f["reason"] == "auth_password");
  CHECK(classify_text("Redis 127.0.0.1:6379 is FAILED", f) == "health");
  CHECK(f["healthy"] == "false");
  CHECK(classify_text("Redis role change not yet done: other: refusing to make this Redis a "
                      "replica of 192.0.2.12:6379 ...",
                      f) == "refused_resync");
  CHECK(classify_text("something else entirely", f).empty());
}

TEST_CASE("classify_text: tracked scripts, priority changes and notify scripts", "[inspect]") {
  std::map<std::string, std::string> f;
  CHECK(classify_text("VRRP_Script(chk_disk) failed (exited with status 1)", f) ==
        "script_state");
  CHECK(f["script"] == "chk_disk");
  CHECK(f["result"] == "failed");
  CHECK(classify_text("VRRP_Script(chk_disk) succeeded", f) == "script_state");
  CHECK(f["result"] == "succeeded");
  CHECK(classify_text("Effective priority 150 -> 90 (priority 150, tracked scripts -60)", f) ==
        "priority_change");
  CHECK(f["from"] == "150");
  CHECK(f["to"] == "90");
  CHECK(classify_text("notify_master for MASTER ran (3 ms)", f) == "notify");
  CHECK(classify_text("notify for FAULT timed out after 10000 ms (killed with its process group)",
                      f) == "notify");
}

TEST_CASE("parse_line: JSON lines carry their event and fields", "[inspect]") {
  const auto l = parse_line(
      R"({"ts":"2026-12-01T07:13:55.123Z","level":"info","node":"n3","instance":"HARedis",)"
      R"("event":"state_change","from":"BACKUP","to":"MASTER","priority":150,)"
      R"("text":"Entering MASTER state"})",
      "file");
  CHECK(l.kind == LineKind::event);
  CHECK(l.ts == kT);
  CHECK(l.node == "n3");
  CHECK(l.event == "state_change");
  CHECK(l.fields.at("from") == "BACKUP");
  CHECK(l.fields.at("priority") == "150");
  CHECK(l.text == "Entering MASTER state");
  CHECK(parse_line(R"({"no":"event"})", "f").kind == LineKind::other);
  CHECK(parse_line(R"({"event":)", "f").kind == LineKind::other);
}

TEST_CASE("parse_line: the docker compose prefix names the node, Redis lines are told apart",
          "[inspect]") {
  auto l = parse_line("node2-1  | 2026-12-01 07:13:55.123 info [HARedis] Master is now 192.0.2.11",
                      "stdin");
  CHECK(l.node == "node2");
  CHECK(l.event == "master_change");
  l = parse_line("node1_1 | 1:M 01 Dec 2026 07:13:55.123 * Ready to accept connections tcp",
                 "stdin");
  CHECK(l.node == "node1");
  CHECK(l.kind == LineKind::redis);
  CHECK(parse_line("1:S 01 Dec 2026 07:13:55.123 * MASTER <-> REPLICA sync started", "f").kind ==
        LineKind::redis);
}

TEST_CASE("parse_line: garbage, truncated and interleaved lines are other, never a crash",
          "[inspect]") {
  for (const char* bad :
       {"", "\n", "|", " | ", "x-1 | ", "2026-12-01 07:1", "2026-12-01 07:13:55.123",
        "2026-12-01 07:13:55.123 ", "2026-12-01 07:13:55.123 n1", "2026-12-01 07:13:55.123 n1 x",
        "{", "{}", "[", "2026-12-01 07:13:55.123 info [HARedis", "12345:", "1:M", "\xff\xfe"}) {
    INFO(bad);
    const auto l = parse_line(bad, "f");
    CHECK(l.kind != LineKind::redis);
  }
  const auto l = parse_line("2026-12-01 07:13:55.123 info [HARedis", "f");
  CHECK(l.kind == LineKind::event);
  CHECK(l.instance.empty());
}

TEST_CASE("impossible times are no times", "[inspect]") {
  bool offset = false;
  std::size_t used = 0;
  CHECK_FALSE(parse_timestamp("2026-02-30T00:00:00", offset, used));
  CHECK(parse_timestamp("2028-02-29T00:00:00", offset, used));  // a leap year
  CHECK_FALSE(parse_timestamp("2026-12-01T09:31:42+99:99", offset, used));
  CHECK_FALSE(parse_timestamp("2026-12-01T09:31:42,", offset, used));
  CHECK(parse_timestamp("2026-12-01T09:31:42+05:45", offset, used));
}

TEST_CASE("prefixes, colours, control characters and a node named like a level", "[inspect]") {
  // A JSON line is never taken for a compose prefix, even with " | " in a value.
  auto l = parse_line(
      R"({"ts":"2026-12-01T09:00:00Z","node":"n1","instance":"db-1 | x","event":"link","text":"t"})",
      "f");
  CHECK(l.kind == LineKind::event);
  CHECK(l.instance == "db-1 | x");
  // Colours of `docker compose logs` on a terminal.
  l = parse_line(
      "\x1b[36mnode1-1  | \x1b[0m2026-12-01T09:00:00.000+00:00 node1 info [I] Interface eth0 is up",
      "f");
  CHECK(l.kind == LineKind::event);
  CHECK(l.node == "node1");
  // A node whose name is a log level.
  l = parse_line("2026-12-01T09:00:00.000+00:00 debug info [I] Interface eth0 is up", "f");
  CHECK(l.node == "debug");
  CHECK(l.level == "info");
  CHECK(l.instance == "I");
  // Control characters would act on the terminal the report is read on.
  l = parse_line(
      R"({"ts":"2026-12-01T09:00:00Z","node":"\u001b[2Jn1","event":"link","text":"a\u0007"})", "f");
  CHECK(l.node == "?[2Jn1");
  CHECK(l.text == "a?");
}

TEST_CASE("a JSON line's time is a whole time, the line one object", "[inspect]") {
  for (const char* bad : {R"({"ts":"2026-12-01T09:00:00.000Z,","event":"link","text":"x"})",
                          R"({"ts":"2026-12-01T10:00:00.000+01","event":"link","text":"x"})",
                          R"({"ts":"2026-12-01T09:00:00.000Z","event":"link","text":"x"},)"}) {
    INFO(bad);
    const auto l = parse_line(bad, "f");
    CHECK((l.kind != LineKind::event || !l.ts));
  }
  // A line trimmed of its fields (or its event name) by a shipper: the sentence says them.
  const auto l = parse_line(R"J({"ts":"2026-12-01T09:00:00Z","node":"n1","instance":"I",)J"
                            R"J("text":"Entering MASTER state (startup, priority 100)"})J",
                            "f");
  CHECK(l.event == "state_change");
  CHECK(l.fields.at("to") == "MASTER");
}

TEST_CASE("C1 controls and bidi overrides never reach the terminal", "[inspect]") {
  const auto l = parse_line(
      "2026-12-01T09:00:00.000+00:00 n1 info [I] a\xc2\x9b"
      "2Jb\xe2\x80\xae"
      "c\xe2\x81\xa6"
      "d \xc3\xa9",
      "f");
  CHECK(l.text == "a?2Jb?c?d \xc3\xa9");
}
