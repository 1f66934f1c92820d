// The Prometheus text format of the daemon's status: the families and values a status gives,
// label escaping, each family's samples together under one HELP and TYPE.
#include "metrics/exposition.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <sstream>

using nlohmann::json;
using redkeep::metrics::exposition;
using redkeep::metrics::incomplete;

namespace {

json master_status() {
  return json::parse(R"({"instances": [{
    "name": "HARedis", "state": "MASTER", "priority": 150, "effective_priority": 150,
    "vip_held": true,
    "counters": {"adverts_sent": 42, "adverts_unsent": 0, "adverts_received": 3,
                 "transitions": 2, "gratuitous_arps": 5, "rejected": {"auth_password": 7},
                 "actor_restarts": 1, "actor_restarts_by_actor": {"vip": 1}},
    "redis": {"health": "healthy", "eligible": true, "not_eligible_code": "", "role": "master",
              "connected_replicas": 2, "master_link_status": "", "replication_offset": 1234,
              "replication_lag_s": 0}},
   {"name": "Second \"one\"", "state": "FAULT", "priority": 100, "effective_priority": 1,
    "vip_held": false, "counters": {}, "redis": {"health": "failed", "eligible": false,
    "not_eligible_code": "redis_unhealthy", "role": "slave", "master_link_status": "down",
    "replication_offset": -1, "replication_lag_s": null}}]})");
}

bool has_line(const std::string& text, const std::string& line) {
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);)
    if (l == line) return true;
  return false;
}

}  // namespace

TEST_CASE("metrics: a Master's state, counters and Redis", "[metrics]") {
  const auto text = exposition(master_status(), "1.2.3");
  INFO(text);
  CHECK(has_line(text, "redkeep_build_info{version=\"1.2.3\"} 1"));
  CHECK(has_line(text, "redkeep_vrrp_state{vrrp_instance=\"HARedis\",state=\"MASTER\"} 1"));
  CHECK(has_line(text, "redkeep_vrrp_state{vrrp_instance=\"HARedis\",state=\"BACKUP\"} 0"));
  CHECK(has_line(text, "redkeep_vrrp_priority{vrrp_instance=\"HARedis\"} 150"));
  CHECK(has_line(text, "redkeep_vip_held{vrrp_instance=\"HARedis\"} 1"));
  CHECK(has_line(text, "redkeep_vrrp_adverts_sent_total{vrrp_instance=\"HARedis\"} 42"));
  CHECK(has_line(text, "redkeep_vrrp_transitions_total{vrrp_instance=\"HARedis\"} 2"));
  CHECK(has_line(text, "redkeep_gratuitous_arps_total{vrrp_instance=\"HARedis\"} 5"));
  CHECK(has_line(text,
                 "redkeep_vrrp_adverts_rejected_total{vrrp_instance=\"HARedis\","
                 "reason=\"auth_password\"} 7"));
  CHECK(has_line(
      text, "redkeep_vrrp_adverts_rejected_total{vrrp_instance=\"HARedis\",reason=\"ttl\"} 0"));
  CHECK(has_line(text, "redkeep_actor_restarts_total{vrrp_instance=\"HARedis\",actor=\"vip\"} 1"));
  CHECK(has_line(text, "redkeep_vrrp_eligible{vrrp_instance=\"HARedis\"} 1"));
  CHECK(has_line(text, "redkeep_redis_role{vrrp_instance=\"HARedis\",role=\"master\"} 1"));
  CHECK(has_line(text, "redkeep_redis_replication_offset_bytes{vrrp_instance=\"HARedis\"} 1234"));
  CHECK(has_line(text, "redkeep_redis_replication_lag_seconds{vrrp_instance=\"HARedis\"} 0"));
  CHECK(has_line(text, "# TYPE redkeep_vrrp_adverts_sent_total counter"));
  CHECK(has_line(text, "# TYPE redkeep_vip_held gauge"));
}

TEST_CASE("metrics: why not eligible as a label set, escaped names, unknowns left out",
          "[metrics]") {
  const auto text = exposition(master_status(), "1.2.3");
  INFO(text);
  const std::string id = "vrrp_instance=\"Second \\\"one\\\"\"";
  CHECK(has_line(text, "redkeep_vrrp_state{" + id + ",state=\"FAULT\"} 1"));
  CHECK(has_line(text, "redkeep_vrrp_not_eligible{" + id + ",reason=\"redis_unhealthy\"} 1"));
  CHECK(has_line(text, "redkeep_vrrp_not_eligible{" + id + ",reason=\"behind_peer\"} 0"));
  CHECK(has_line(
      text, "redkeep_vrrp_not_eligible{vrrp_instance=\"HARedis\",reason=\"redis_unhealthy\"} 0"));
  CHECK(has_line(text, "redkeep_redis_healthy{" + id + "} 0"));
  CHECK(has_line(text, "redkeep_redis_master_link_up{" + id + "} 0"));
  CHECK(has_line(text, "redkeep_redis_role{" + id + ",role=\"replica\"} 1"));
  // Offset -1 and lag null mean unknown: no sample rather than a made-up value.
  CHECK(text.find("redkeep_redis_replication_offset_bytes{" + id) == std::string::npos);
  CHECK(text.find("redkeep_redis_replication_lag_seconds{" + id) == std::string::npos);
}

TEST_CASE("metrics: each family once, its samples right under it", "[metrics]") {
  const auto text = exposition(master_status(), "1.2.3");
  std::istringstream in(text);
  std::set<std::string> seen;
  std::string current;
  for (std::string l; std::getline(in, l);) {
    if (l.rfind("# HELP ", 0) == 0) {
      current = l.substr(7, l.find(' ', 7) - 7);
      CHECK(seen.insert(current).second);
      continue;
    }
    if (l.rfind("# TYPE ", 0) == 0) continue;
    const auto name = l.substr(0, l.find_first_of("{ "));
    INFO(l);
    CHECK(name == current);
  }
  CHECK(seen.size() > 15);
}

TEST_CASE("metrics: a status without instances is the build info alone", "[metrics]") {
  CHECK(exposition(json::parse("[]"), "1") ==
        "# HELP redkeep_build_info Always 1; the version of redkeep as a label.\n"
        "# TYPE redkeep_build_info gauge\nredkeep_build_info{version=\"1\"} 1\n");
}

TEST_CASE("metrics: a status with an election that did not answer is incomplete", "[metrics]") {
  CHECK(incomplete(master_status()).empty());
  CHECK_FALSE(incomplete(json::parse(R"({"instances": [{"error": "request_timeout"}]})")).empty());
  CHECK_FALSE(incomplete(json::parse("[]")).empty());
  CHECK(incomplete(json::parse(R"({"instances": []})")).empty());
}
