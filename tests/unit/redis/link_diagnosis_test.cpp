// Why replication is stuck, on a virtual clock: one line when a cause appears, one when it is
// gone, never one a round.
#include "redis/link_diagnosis.hpp"

#include <catch2/catch.hpp>

using namespace redkeep::redis;
using namespace std::chrono_literals;

namespace {

const std::chrono::steady_clock::time_point t0{};

LinkObservation down_at(std::chrono::seconds s) {
  LinkObservation o;
  o.now = t0 + s;
  o.master = "192.0.2.11:6379";
  return o;
}

}  // namespace

TEST_CASE("link diagnosis: probes only after the link stayed down for the threshold",
          "[redis][link_diagnosis]") {
  LinkDiagnosis d(3s);
  CHECK(d.observe(down_at(0s)).empty());
  CHECK_FALSE(d.probes_due(t0 + 2s));
  CHECK(d.probes_due(t0 + 3s));
  auto up = down_at(4s);
  up.link_up = true;
  CHECK(d.observe(up).empty());
  CHECK_FALSE(d.probes_due(t0 + 10s));  // the clock starts again at the next failure
}

TEST_CASE("link diagnosis: a cause is said once over 30 rounds, and once when it is gone",
          "[redis][link_diagnosis]") {
  LinkDiagnosis d(3s);
  d.observe(down_at(0s));
  int said = 0;
  for (int s = 3; s < 33; ++s) {
    auto o = down_at(std::chrono::seconds(s));
    o.auth_problem = "masterauth is not set and the master requires a password";
    for (const auto& l : d.observe(o)) {
      CHECK(l.warning);
      CHECK(l.text ==
            "replication link to 192.0.2.11:6379 down: masterauth is not set and the master "
            "requires a password");
      ++said;
    }
  }
  CHECK(said == 1);
  CHECK(d.causes().size() == 1);
  auto up = down_at(40s);
  up.link_up = true;
  const auto lines = d.observe(up);
  REQUIRE(lines.size() == 1);
  CHECK_FALSE(lines[0].warning);
  CHECK(lines[0].text.rfind("no longer: replication link to 192.0.2.11:6379 down", 0) == 0);
  CHECK(d.causes().empty());
}

TEST_CASE("link diagnosis: a full-sync loop is two full syncs begun while the link stays down",
          "[redis][link_diagnosis]") {
  LinkDiagnosis d(3s);
  d.observe(down_at(0s));
  std::vector<std::string> texts;
  for (int s = 3; s < 20; ++s) {
    auto o = down_at(std::chrono::seconds(s));
    o.master_sync_full = 10 + (s - 3) / 4;  // one more full sync every 4 s
    for (const auto& l : d.observe(o)) texts.push_back(l.text);
  }
  REQUIRE(texts.size() == 1);  // the figure keeps rising: still one line
  CHECK(texts[0].find("full-sync loop (the master's sync_full rose by 2") != std::string::npos);
  CHECK(texts[0].find("client-output-buffer-limit replica") != std::string::npos);
}

TEST_CASE("link diagnosis: NOREPLICAS said when the master starts and stops refusing writes",
          "[redis][link_diagnosis]") {
  LinkDiagnosis d(3s);
  LinkObservation o;
  o.min_replicas_to_write = 2;
  o.good_replicas = 2;
  CHECK(d.observe(o).empty());
  o.good_replicas = 1;
  auto lines = d.observe(o);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].text ==
        "the master answers NOREPLICAS to writes: 1 replica(s) within "
        "min-replicas-max-lag, min-replicas-to-write 2");
  o.good_replicas = 0;
  CHECK(d.observe(o).empty());  // still refusing: no new line
  o.good_replicas = 2;
  lines = d.observe(o);
  REQUIRE(lines.size() == 1);
  CHECK_FALSE(lines[0].warning);
}

TEST_CASE("master_auth_problem names the setting to change", "[redis][link_diagnosis]") {
  MemberFacts m;
  m.address = "192.0.2.11:6379";
  m.requires_auth = true;
  CHECK(master_auth_problem(m, "", "")->find("masterauth is not set") == 0);
  m.masterauth_refused = "WRONGPASS invalid username-password pair";
  CHECK(master_auth_problem(m, "pw", "repl")
            ->find("AUTH with masterauth as masteruser 'repl' "
                   "fails on the master") == 0);
  m.masterauth_refused.reset();
  m.masteruser_denied = {"psync"};
  CHECK(*master_auth_problem(m, "pw", "repl") ==
        "the master's ACL does not let masteruser 'repl' run psync: ACL SETUSER repl +psync "
        "+replconf +ping");
  m.masteruser_denied.clear();
  CHECK_FALSE(master_auth_problem(m, "pw", "repl"));
}
