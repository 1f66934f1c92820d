// Reload: what a new file changes, instance by instance.
#include "config/reload_plan.hpp"

#include <catch2/catch.hpp>

#include "config_test_util.hpp"

using namespace redkeep::config;
using redkeep::config::test::instance;
using redkeep::config::test::instance_with;
using redkeep::config::test::renamed;
using redkeep::config::test::with_vip;

namespace {

Config parsed(const std::string& text) {
  auto r = parse_text(text, "test.conf");
  REQUIRE(r.ok());
  return *r.config;
}

const std::string kRedis = "    redis {\n        port 6379\n    }\n";

InstanceChange only(const ReloadPlan& plan) {
  REQUIRE(plan.instances.size() == 1);
  return plan.instances[0];
}

}  // namespace

TEST_CASE("plan_reload: the same file changes nothing", "[config][reload]") {
  const auto a = parsed(instance(kRedis));
  const auto plan = plan_reload(a, a);
  CHECK_FALSE(plan.changes());
  CHECK(only(plan).action == ReloadAction::unchanged);
}

TEST_CASE("plan_reload: node-local and cluster-wide settings apply in place", "[config][reload]") {
  const auto a = parsed(instance(kRedis));
  const auto b = parsed(with_vip(
      instance_with("virtual_router_id 55", "virtual_router_id 56",
                    "    priority 120\n    nopreempt\n    preempt_delay 2\n    advert_int 2\n"
                    "    garp_master_repeat 3\n    redis {\n        port 6379\n"
                    "        check_interval 0.5\n        password \"pw\"\n    }\n"),
      "192.0.2.101/24"));
  const auto c = only(plan_reload(a, b));
  CHECK(c.action == ReloadAction::apply);
  CHECK(c.keywords == std::vector<std::string>{"priority", "nopreempt", "preempt_delay",
                                               "advert_int", "virtual_router_id",
                                               "virtual_ipaddress", "garp_master_repeat",
                                               "redis.password", "redis.check_interval"});
}

TEST_CASE("plan_reload: interface, unicast peers and state_file restart the instance",
          "[config][reload]") {
  const auto a = parsed(instance(kRedis));
  SECTION("interface") {
    const auto c = only(plan_reload(a, parsed(instance_with("eth0", "eth1", kRedis))));
    CHECK(c.action == ReloadAction::restart);
    CHECK(c.keywords == std::vector<std::string>{"interface"});
  }
  SECTION("unicast_peer, with a priority change besides") {
    const auto c = only(plan_reload(
        a, parsed(instance("    priority 90\n    unicast_peer {\n        192.0.2.12\n    }\n" +
                           kRedis))));
    CHECK(c.action == ReloadAction::restart);
    CHECK(c.keywords == std::vector<std::string>{"unicast_peer", "priority"});
  }
  SECTION("state_file, for an instance with Redis") {
    const auto c = only(plan_reload(
        a, parsed("global_defs {\n    state_file /tmp/other.json\n}\n" + instance(kRedis))));
    CHECK(c.action == ReloadAction::restart);
    CHECK(c.keywords == std::vector<std::string>{"global_defs.state_file"});
  }
}

TEST_CASE("plan_reload: instances added and removed, the control socket moved",
          "[config][reload]") {
  const auto a =
      parsed(instance(kRedis) +
             with_vip(renamed(instance_with("virtual_router_id 55", "virtual_router_id 56"), "B"),
                      "192.0.2.101/24"));
  const auto b =
      parsed("global_defs {\n    control_socket /tmp/x.sock\n}\n" + instance(kRedis) +
             with_vip(renamed(instance_with("virtual_router_id 55", "virtual_router_id 57"), "C"),
                      "192.0.2.102/24"));
  const auto plan = plan_reload(a, b);
  CHECK(plan.changes());
  CHECK(plan.control_socket_changed);
  REQUIRE(plan.instances.size() == 3);
  CHECK(plan.instances[0].action == ReloadAction::unchanged);
  CHECK(plan.instances[1].name == "B");
  CHECK(plan.instances[1].action == ReloadAction::remove);
  CHECK(plan.instances[2].name == "C");
  CHECK(plan.instances[2].action == ReloadAction::add);
}

TEST_CASE("plan_reload: tracked scripts and notify scripts apply in place", "[config][reload]") {
  const std::string script = "vrrp_script chk {\n    script /bin/true\n    weight -10\n}\n";
  const auto a = parsed(script + instance(kRedis + "    track_script {\n        chk\n    }\n"));
  const auto weight = parsed(script +
                             instance(kRedis + "    track_script {\n        chk weight -20\n    }\n"));
  CHECK(only(plan_reload(a, weight)).action == ReloadAction::apply);
  CHECK(only(plan_reload(a, weight)).keywords == std::vector<std::string>{"track_script"});
  const auto notify = parsed(script + instance(kRedis + "    track_script {\n        chk\n    }\n"
                                                         "    notify_master /bin/true\n"));
  CHECK(only(plan_reload(a, notify)).keywords == std::vector<std::string>{"notify"});
  CHECK(only(plan_reload(a, notify)).action == ReloadAction::apply);
  CHECK(only(plan_reload(a, a)).action == ReloadAction::unchanged);
}

TEST_CASE("metrics_listen alone is a change: the endpoint moves, no instance restarts",
          "[config][reload]") {
  const auto a = parsed(instance(kRedis));
  const auto b = parsed("global_defs {\n    metrics_listen 127.0.0.1:9470\n}\n" + instance(kRedis));
  const auto plan = plan_reload(a, b);
  CHECK(plan.changes());
  CHECK(plan.metrics_listen_changed);
  CHECK_FALSE(plan.control_socket_changed);
  REQUIRE(plan.instances.size() == 1);
  CHECK(plan.instances[0].action == ReloadAction::unchanged);
  CHECK_FALSE(plan_reload(b, b).changes());
}
