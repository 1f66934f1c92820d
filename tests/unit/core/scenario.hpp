#pragma once
// Starting points of the core's rule scenarios: a Master serving, a Backup following it.
#include "driver.hpp"

namespace redkeep::test {

/// A healthy Redis that is master, with `replicas` replicas following it.
inline core::RedisHealth redis_master(std::uint32_t replicas = 1) {
  core::RedisHealth h;
  h.healthy = true;
  h.last_result = "PONG";
  h.role = redis::InfoRole::master;
  h.connected_replicas = replicas;
  h.replicas_following = replicas;
  h.repl_offset = 1000;
  return h;
}

/// A healthy Redis that is a replica of `master`:6379 (link up: synced).
inline core::RedisHealth redis_replica(const char* master, bool link_up = true) {
  core::RedisHealth h;
  h.healthy = true;
  h.last_result = "PONG";
  h.role = redis::InfoRole::replica;
  h.master_host = master;
  h.master_port = 6379;
  h.master_link_status = link_up ? redis::LinkStatus::up : redis::LinkStatus::down;
  h.repl_offset = 1000;
  return h;
}

/// Node 192.0.2.11 (priority 150, state MASTER) started and serving: Master, Redis master, VIP
/// held, one replica. Commands so far are cleared.
inline CoreDriver serving_master() {
  CoreDriver d(recipe_instance(150, true));
  d.feed(core::Wired{true, true, true, true});
  d.report(redis_master());
  d.advance(10ms);
  d.clear();
  return d;
}

/// Node 192.0.2.11 (priority 100, state BACKUP) following Master 192.0.2.12 (priority 150),
/// its Redis a synced replica of it. Commands so far are cleared.
inline CoreDriver following_backup() {
  CoreDriver d(recipe_instance(100));
  d.feed(core::Wired{true, true, true, true});
  d.hear("192.0.2.12", 150);
  d.report(redis_replica("192.0.2.12"));
  d.clear();
  return d;
}

}  // namespace redkeep::test
