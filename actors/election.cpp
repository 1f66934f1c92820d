#include "actors/election.hpp"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "actors/crash_reason.hpp"
#include "redis/eligibility.hpp"
#include "redis/takeover_hold.hpp"

namespace redkeep::actors {

namespace {

namespace vrrp = net::vrrp;
using Clock = std::chrono::steady_clock;
using snapshot_atom = caf::atom_constant<caf::atom("snapshot")>;
using overdue_atom = caf::atom_constant<caf::atom("overdue")>;
using stop_wait_atom = caf::atom_constant<caf::atom("stopwait")>;
using rules_atom = caf::atom_constant<caf::atom("rules")>;

/// Rejected packets are logged at most once per reason in this interval.
constexpr auto kRejectLogInterval = std::chrono::seconds(10);
/// A stopping Master waits this long at most for the new master's advert before it exits
/// with its Redis left as it is: backups take over after Skew_Time (at most 1 s with VRRPv2),
/// but with long intervals (advert_int 255) Master_Down_Interval + 1 s would be minutes,
/// beyond any service manager's stop timeout (Docker's 10 s by default).
constexpr auto kStopWaitLimit = std::chrono::seconds(8);
/// How often the supervisor gets a fresh snapshot besides every transition.
constexpr auto kSnapshotInterval = std::chrono::seconds(1);

/// A Redis role: nullopt = master, else a replica of that address.
using RoleTarget = std::optional<net::IpAddress>;

struct ElectionState {
  InstanceContext ctx;
  std::unique_ptr<vrrp::StateMachine> sm;
  Wiring wiring;

  std::uint64_t timer_generation = 0;
  std::optional<vrrp::TimePoint> armed_deadline;
  bool master_overdue = false;                   // last told to redis_health
  std::optional<vrrp::TimePoint> master_heard_at;  // last advert of another node (priority > 0)
  std::optional<vrrp::TimePoint> armed_overdue;  // overdue_atom scheduled for
  std::optional<vrrp::TimePoint> lower_master_garp;  // last burst for a lower-priority Master

  // VIP: what was last commanded and whether the vip actor confirmed it.
  std::uint64_t vip_generation = 0;
  bool vip_commanded_up = false;
  bool vip_confirmed = true;

  // Redis role: last command (nullopt master = REPLICAOF NO ONE) and whether
  // redis_role confirmed it with ROLE.
  std::uint64_t role_generation = 0;
  std::optional<RoleTarget> role_commanded;
  bool role_confirmed = false;

  RedisHealth redis;
  bool redis_reported = false;
  bool failing_reported = false;   // last check_status input
  bool role_refused = false;       // Redis refused REPLICAOF NO ONE for good
  bool eligible_reported = true;   // last priority_inputs eligibility
  std::string reason_reported;     // last "not eligible" reason logged
  bool hold_reported = false;      // last priority_inputs hold_floor_tie
  redis::TakeoverHold takeover_hold;  // issue 14.1: the policy, fed from here
  std::optional<vrrp::TimePoint> history_asked;  // last CompareHistory sent
  std::size_t members = 0;                       // in the last probe round
  bool garp_quiet = false;                       // last quiet_atom sent to vip
  bool step_out_reported = false;  // last must_step_down() logged
  /// The data rules (DESIGN.md section 3): created with the machine.
  std::unique_ptr<redis::Eligibility> eligibility;

  std::map<std::string, std::uint64_t> counters;
  std::map<std::string, Clock::time_point> last_reject_log;
  std::map<std::string, std::uint64_t> unlogged_rejects;

  bool stopping = false;
  caf::response_promise stop_promise;

  static inline const char* name = "election";
};

using Self = caf::stateful_actor<ElectionState>;

bool has_redis(Self* self) { return self->state.ctx.instance.redis.has_value(); }

std::uint16_t redis_port(Self* self) {
  return has_redis(self) ? self->state.ctx.instance.redis->port : 6379;
}

/// The configured Advertisement_Interval: the period of probes, ARP bursts and comparisons.
vrrp::Microseconds advert_interval(Self* self) {
  return std::chrono::duration_cast<vrrp::Microseconds>(self->state.sm->params().advert_interval);
}

template <class Msg>
void send_to(Self* self, const caf::actor& dest, Msg&& msg) {
  if (dest) self->send(dest, std::forward<Msg>(msg));
}

void send_snapshot(Self* self) {
  ElectionSnapshot snap;
  snap.group = self->state.ctx.group;
  snap.machine = self->state.sm->snapshot();
  snap.counters = self->state.counters;
  snap.eligibility = *self->state.eligibility;
  send_to(self, self->state.wiring.supervisor, std::move(snap));
}

void command_vip(Self* self, bool up) {
  auto& st = self->state;
  st.vip_commanded_up = up;
  st.vip_confirmed = false;
  send_to(self, st.wiring.vip, VipCommand{++st.vip_generation, up});
}

void command_role(Self* self, RoleTarget master) {
  auto& st = self->state;
  st.role_commanded = master;
  st.role_confirmed = false;
  RoleCommand cmd{++st.role_generation, master, redis_port(self), master.has_value()};
  send_to(self, st.wiring.redis_role, cmd);
}

/// What the local Redis should be now: master (inner nullopt) on the Master;
/// a replica of the Master's primary address on a Backup or in Fault when it
/// is known; nothing to change otherwise.
std::optional<RoleTarget> desired_role(Self* self) {
  const auto& sm = *self->state.sm;
  if (sm.state() == vrrp::State::master) return RoleTarget{};
  bool follows = sm.state() == vrrp::State::backup || sm.state() == vrrp::State::fault;
  if (follows && sm.master_address() && !sm.master_is_self()) return *sm.master_address();
  return std::nullopt;
}

/// Brings VIP and Redis role in line with the election, in the order of
/// DESIGN.md section 4: promote before adding the VIP; remove the VIP before
/// demoting. Called after every event; idempotent.
void reconcile(Self* self) {
  auto& st = self->state;
  auto want = has_redis(self) ? desired_role(self) : std::nullopt;
  if (st.sm->state() == vrrp::State::master) {
    // Nobody knows this node is Master before one of its adverts went out: a Master that
    // cannot send neither promotes its Redis nor adds the VIP (it steps down instead).
    if (!st.sm->advertising()) return;
    if (want && st.role_commanded != want) command_role(self, *want);
    if (has_redis(self) && !st.role_confirmed) return;
    if (!st.vip_commanded_up) command_vip(self, true);
    return;
  }
  if (st.vip_commanded_up) command_vip(self, false);
  if (!st.vip_confirmed) return;
  if (want && st.role_commanded != want) command_role(self, *want);
}

/// Carries out what the held-takeover policy (redis::TakeoverHold) asks after an observation:
/// start or stop the VIP watch, hold or release the takeover.
void apply_takeover_hold(Self* self, Clock::time_point now) {
  auto& st = self->state;
  const auto c = st.takeover_hold.commands();
  if (c.watch) {
    std::optional<net::RedisEndpoint> vip;
    if (*c.watch)
      vip = net::RedisEndpoint{st.ctx.instance.virtual_ipaddress.front().address,
                               redis_port(self)};
    send_to(self, st.wiring.member_probe, VipWatch{vip});
  }
  if (!c.hold) return;
  st.sm->hold_takeover(*c.hold, now);
  if (*c.hold)
    spdlog::warn("{} The Master's adverts are overdue, but the VIP still leads to the Redis "
                 "this replica follows ({}): not taking over while it does (promoting would "
                 "split the writes)",
                 st.ctx.tag(), st.redis.vip_detail);
  else
    spdlog::info("{} Takeover no longer held: {}", st.ctx.tag(),
                 st.takeover_hold.release_reason());
}

/// Tells redis_health when the Master's adverts stop (overdue) and when a
/// Master is heard again: while overdue it compares offsets with the fellow
/// replicas at every check, so that a replica behind another advertises the
/// floor priority before Master_Down_Interval ends and the one holding the
/// most takes over (issue 7.2; the link still looks up when the Master's
/// node vanished silently).
void update_master_overdue(Self* self) {
  auto& st = self->state;
  auto now = Clock::now();
  auto at = st.sm->master_overdue_at();
  bool overdue = at && now >= *at && has_redis(self);
  if (overdue != st.master_overdue && st.wiring.redis_health) {
    st.master_overdue = overdue;
    self->send(st.wiring.redis_health, check_atom::value, overdue);
    // Cut off from every member? The verdict must be in before the Master_Down_Timer fires.
    st.eligibility->set_master_overdue(overdue, now);
    if (overdue) send_to(self, st.wiring.member_probe, check_atom::value);
    st.takeover_hold.master_overdue(overdue);
    apply_takeover_hold(self, now);
    self->send(self, rules_atom::value);
  }
  if (at && !overdue && at != st.armed_overdue) {
    st.armed_overdue = at;
    self->delayed_send(self, std::chrono::duration_cast<std::chrono::microseconds>(*at - now),
                       overdue_atom::value);
  }
}

void arm_timer(Self* self) {
  update_master_overdue(self);
  auto& st = self->state;
  auto deadline = st.sm->next_deadline();
  if (deadline == st.armed_deadline) return;
  st.armed_deadline = deadline;
  ++st.timer_generation;
  if (!deadline) return;
  auto delay = *deadline - Clock::now();
  if (delay < Clock::duration::zero()) delay = Clock::duration::zero();
  self->delayed_send(self, std::chrono::duration_cast<std::chrono::microseconds>(delay),
                     tick_atom::value, st.timer_generation);
}

void execute(Self* self, const vrrp::Actions& actions) {
  auto& st = self->state;
  bool changed = false;
  for (const auto& action : actions) {
    if (auto* a = std::get_if<vrrp::SendAdvert>(&action)) {
      send_to(self, st.wiring.advert_io, AdvertOut{a->priority});
      ++st.counters["adverts_sent"];
      if (st.vip_commanded_up && st.vip_confirmed) send_to(self, st.wiring.vip, renew_atom::value);
    } else if (auto* s = std::get_if<vrrp::StateChanged>(&action)) {
      ++st.counters["transitions"];
      st.eligibility->set_vrrp_master(s->to == vrrp::State::master, Clock::now());
      self->send(self, rules_atom::value);
      // The advertised priority means something only while taking part.
      if (s->to == vrrp::State::master || s->to == vrrp::State::backup) {
        spdlog::info("{} Entering {} state ({}, priority {})", st.ctx.tag(),
                     vrrp::to_string(s->to), s->reason, st.sm->effective_priority());
      } else {
        spdlog::info("{} Entering {} state ({})", st.ctx.tag(), vrrp::to_string(s->to), s->reason);
      }
      changed = true;
    } else if (auto* m = std::get_if<vrrp::MasterChanged>(&action)) {
      if (m->self) {
        spdlog::info("{} Master is now this node ({})", st.ctx.tag(),
                     st.ctx.primary_address.to_string());
      } else if (m->master) {
        spdlog::info("{} Master is now {}", st.ctx.tag(), m->master->to_string());
      } else {
        // Which replica is most up to date must be known before Skew_Time:
        // the Master is overdue at once (update_master_overdue).
        spdlog::info("{} Master unknown", st.ctx.tag());
      }
      changed = true;
    }
    // AddVips / RemoveVips are implied by the state: reconcile() acts on it.
  }
  if (!st.stopping) reconcile(self);
  arm_timer(self);
  if (changed) send_snapshot(self);
  // A Master at the floor because it is cut off: its delayed (garp_master_delay) and refresh
  // bursts would come as it heals, and pull clients to a node about to yield (seen in the
  // lab: acknowledged writes lost). Its first burst, at takeover, stays: a lone survivor
  // needs it.
  const bool quiet = st.sm->state() == vrrp::State::master && st.eligibility->cut_off_master();
  if (quiet != st.garp_quiet && st.wiring.vip) {
    st.garp_quiet = quiet;
    self->send(st.wiring.vip, quiet_atom::value, quiet);
  }
}

std::string role_text(const std::optional<RoleTarget>& role) {
  if (!role) return "";
  if (!role->has_value()) return "master";
  return "replica of " + (*role)->to_string();
}

std::string status_json(Self* self, const std::map<std::string, std::uint64_t>& restarts) {
  auto& st = self->state;
  const auto& in = st.ctx.instance;
  const auto& sm = *st.sm;
  using nlohmann::json;
  json vips = json::array();
  for (const auto& v : in.virtual_ipaddress) vips.push_back(v.to_string());
  json rejected = json::object();
  json counters = json::object();
  for (const auto& [k, v] : st.counters) {
    if (k.rfind("rejected.", 0) == 0) {
      rejected[k.substr(9)] = v;
    } else {
      counters[k] = v;
    }
  }
  counters["rejected"] = rejected;
  std::uint64_t restart_total = 0;
  json restart_detail = json::object();
  for (const auto& [name, n] : restarts) {
    if (name.size() > in.name.size() + 2 &&
        name.compare(name.size() - in.name.size() - 2, std::string::npos, "[" + in.name + "]") == 0) {
      restart_total += n;
      restart_detail[name.substr(0, name.size() - in.name.size() - 2)] = n;
    }
  }
  counters["actor_restarts"] = restart_total;
  counters["actor_restarts_by_actor"] = restart_detail;
  for (const char* k :
       {"adverts_sent", "adverts_unsent", "adverts_received", "transitions", "gratuitous_arps"})
    if (!counters.contains(k)) counters[k] = 0;
  auto us = [](vrrp::Microseconds d) { return static_cast<double>(d.count()) / 1e6; };
  json j = {
      {"name", in.name},
      {"state", vrrp::to_string(sm.state())},
      {"interface", in.interface},
      {"virtual_router_id", in.virtual_router_id},
      {"version", static_cast<int>(in.version)},
      {"primary_address", st.ctx.primary_address.to_string()},
      {"priority", in.priority},
      {"effective_priority", sm.effective_priority()},
      {"master_address", sm.master_address() ? json(sm.master_address()->to_string()) : json()},
      {"master_is_self", sm.master_is_self()},
      {"virtual_ipaddress", vips},
      {"vip_held", st.vip_commanded_up && st.vip_confirmed},
      {"master_adver_interval_s", us(sm.master_adver_interval())},
      {"skew_time_s", us(sm.skew_time())},
      {"master_down_interval_s", us(sm.master_down_interval())},
      {"counters", counters},
  };
  if (has_redis(self)) {
    const auto& r = st.redis;
    j["redis"] = {
        {"address", in.redis->host + ":" + std::to_string(in.redis->port)},
        {"health", !st.redis_reported ? "unknown" : r.healthy ? "healthy" : "failed"},
        {"eligible", st.eligibility->eligible()},
        {"members", st.members},
        {"takeover_held", st.takeover_hold.held()},
        {"member_reached_s_ago",
         st.eligibility->last_member_reached()
             ? json(std::chrono::duration<double>(Clock::now() -
                                                  *st.eligibility->last_member_reached())
                        .count())
             : json()},
        {"not_eligible_because", st.eligibility->reason()},
        {"last_check", r.last_result},
        {"role", r.role},
        {"master_host", r.master_host},
        {"master_port", r.master_port},
        {"master_link_status", r.master_link_status},
        {"replication_offset", r.repl_offset},
        {"run_id", r.run_id},
        {"replid", r.replid},
        {"connected_replicas", r.connected_replicas},
        {"commanded_role", role_text(st.role_commanded)},
        {"role_confirmed", st.role_confirmed},
    };
  } else {
    j["redis"] = nullptr;
  }
  return j.dump();
}

void on_rejected(Self* self, const AdvertRejected& r) {
  auto& st = self->state;
  ++st.counters["rejected." + r.reason];
  // Other virtual routers on the segment are normal traffic: count only.
  if (r.reason == "vrid") return;
  auto now = Clock::now();
  auto it = st.last_reject_log.find(r.reason);
  if (it != st.last_reject_log.end() && now - it->second < kRejectLogInterval) {
    ++st.unlogged_rejects[r.reason];
    return;
  }
  auto suppressed = st.unlogged_rejects[r.reason];
  st.unlogged_rejects[r.reason] = 0;
  st.last_reject_log[r.reason] = now;
  if (suppressed > 0) {
    spdlog::warn("{} Rejected advert ({}): {} [{} more since last report]", st.ctx.tag(),
                 r.reason, r.detail, suppressed);
  } else {
    spdlog::warn("{} Rejected advert ({}): {}", st.ctx.tag(), r.reason, r.detail);
  }
}

void apply_data_rules(Self* self, vrrp::Actions& actions, Clock::time_point now);

/// A Master hearing another Master of lower priority (one that took over on an island, issue
/// 14) sends a gratuitous ARP burst at once, as keepalived's garp_lower_prio_repeat does:
/// clients that followed the other's ARPs come back before it yields. Once per interval.
void garp_for_lower_master(Self* self, const vrrp::PeerAdvert& a, Clock::time_point now) {
  auto& st = self->state;
  if (st.sm->state() != vrrp::State::master || a.priority == 0 ||
      a.source == st.ctx.primary_address)
    return;
  // Strictly lower: between two floor-priority Masters comparing histories, ARPs would pull
  // the clients to one of them before the comparison has decided.
  const auto own = st.sm->effective_priority();
  if (a.priority >= own) return;
  const auto interval = advert_interval(self);
  if (st.lower_master_garp && now - *st.lower_master_garp < interval) return;
  st.lower_master_garp = now;
  spdlog::info("{} Heard another Master, {} with priority {} (own {}): sending gratuitous ARPs "
               "now so clients that followed it come back",
               st.ctx.tag(), a.source.to_string(), a.priority, own);
  send_to(self, st.wiring.vip, garp_atom::value);
}

/// A timer that fires, or any message that arrives, long after the armed
/// deadline means this process was stalled (SIGSTOP, a frozen VM): the others
/// have likely elected meanwhile. Checked before the event is handled, so a
/// resumed Master advertises the floor priority and yields to the new one
/// instead of taking the VIP back with its configured priority.
void detect_stall(Self* self, Clock::time_point now) {
  auto& st = self->state;
  if (!st.armed_deadline || now <= *st.armed_deadline) return;
  auto late = std::chrono::duration_cast<std::chrono::microseconds>(now - *st.armed_deadline);
  if (!st.eligibility->timer_overran(late)) return;
  vrrp::Actions actions;
  apply_data_rules(self, actions, now);
  execute(self, actions);
}

void finish_stop(Self* self, const std::string& how) {
  auto& st = self->state;
  if (!st.stopping || !st.stop_promise.pending()) return;
  spdlog::info("{} Stopped: {}", st.ctx.tag(), how);
  send_snapshot(self);
  st.stop_promise.deliver(true);
}

/// True when the local Redis has completed a sync with the current Master:
/// replica of its primary address, link up, no sync running.
bool synced_with_master(Self* self, const RedisHealth& h) {
  const auto& sm = *self->state.sm;
  if (!sm.master_address() || sm.master_is_self()) return false;
  return h.role == "slave" && h.master_host == sm.master_address()->to_string() &&
         h.master_port == redis_port(self) && h.master_link_status == "up" &&
         !h.sync_in_progress;
}

/// Feeds the data rules and turns their verdict into the machine's inputs:
/// a Master whose Redis restarted steps down (a check failure: VIP off,
/// priority 0); any other rule only lowers the advertised priority to the
/// floor, so VRRP itself prefers a node that holds the data.
void apply_data_rules(Self* self, vrrp::Actions& actions, Clock::time_point now) {
  auto& st = self->state;
  const auto& h = st.redis;
  const bool step_out = st.eligibility->must_step_down();
  if (step_out != st.step_out_reported) {
    st.step_out_reported = step_out;
    if (step_out) {
      spdlog::warn("{} Staying out of Master (FAULT) until its Redis has synced with a master, "
                   "or none is heard for twice Master_Down_Interval: {}",
                   st.ctx.tag(), st.eligibility->reason());
    } else {
      spdlog::info("{} May take Master again", st.ctx.tag());
    }
  }
  bool failing = !h.healthy || step_out || st.role_refused;
  bool eligible = st.eligibility->eligible();
  // Every change of reason is logged: one rule may give way to another while not eligible.
  // A Backup whose Master just went quiet floors itself until its first probe round says
  // whether it is cut off: that moment is not worth a warning in every failover.
  const std::string reason = st.eligibility->awaiting_probe() ? st.reason_reported
                                                               : st.eligibility->reason();
  if (reason != st.reason_reported) {
    if (reason.empty()) {
      spdlog::info("{} Eligible to be master again", st.ctx.tag());
    } else {
      spdlog::warn("{} Not eligible to be master: {}; advertising priority {}", st.ctx.tag(),
                   reason, vrrp::kFloorPriority);
    }
    st.reason_reported = reason;
  }
  if (failing != st.failing_reported || st.sm->state() == vrrp::State::initialize) {
    st.failing_reported = failing;
    auto a = st.sm->check_status(failing, now);
    actions.insert(actions.end(), a.begin(), a.end());
  }
  const bool hold = st.eligibility->hold_floor_tie();
  if (eligible != st.eligible_reported || hold != st.hold_reported) {
    st.eligible_reported = eligible;
    st.hold_reported = hold;
    auto a = st.sm->priority_inputs({eligible, 0, hold}, now);
    actions.insert(actions.end(), a.begin(), a.end());
  }
}

/// A cut-off Master (at the floor) meets another floor-priority Master: before the address
/// decides, whose Redis history contains the other's (issue 14). Asked once per interval.
void compare_with_floor_master(Self* self, const vrrp::PeerAdvert& a, Clock::time_point now) {
  auto& st = self->state;
  if (!has_redis(self) || st.sm->state() != vrrp::State::master ||
      !st.eligibility->hold_floor_tie() || a.priority != st.sm->effective_priority() ||
      a.source == st.ctx.primary_address)
    return;
  const auto interval = advert_interval(self);
  if (st.history_asked && now - *st.history_asked < interval) return;
  st.history_asked = now;
  send_to(self, st.wiring.redis_health, CompareHistory{a.source});
}

void on_redis_health(Self* self, const RedisHealth& h) {
  auto& st = self->state;
  auto now = Clock::now();
  st.redis = h;
  st.redis_reported = true;
  redis::EligibilityObservation o;
  o.healthy = h.healthy;
  o.loading = h.healthy && !h.eligible;
  o.restarted = h.restarted;
  o.is_replica = h.role == "slave";
  o.synced_with_master = synced_with_master(self, h);
  o.lagging = h.behind_peer;
  o.connected_replicas = h.connected_replicas;
  o.replicas_following = h.replicas_following;
  o.replicas_syncing = h.replicas_syncing;
  o.replicas_silent_for = std::chrono::seconds(h.replicas_silent_s);
  o.vrrp_master = st.sm->state() == vrrp::State::master;
  // In Fault the machine keeps the last Master it knew, alive or not: only
  // a Master heard within Master_Down_Interval counts as one.
  bool heard = st.master_heard_at && now - *st.master_heard_at < st.sm->master_down_interval();
  if (st.sm->master_address() && !st.sm->master_is_self() && heard)
    o.vrrp_master_address = st.sm->master_address();
  if (h.behind_peer.value_or(false) && st.eligibility->eligible())
    spdlog::warn("{} This replica is behind another: {}", st.ctx.tag(), h.behind_detail);
  if (h.restarted)
    spdlog::warn("{} Redis restarted (new run_id {}): not eligible until it has re-synced from "
                 "the master",
                 st.ctx.tag(), h.run_id.substr(0, 8));
  st.eligibility->set_master_down_interval(st.sm->master_down_interval());
  st.eligibility->observe(o, now);
  if (st.stopping) return;
  // Not confirmed at this check (no answer in time, or no redkeep watching it): plain VRRP.
  st.takeover_hold.report(h.vip_serves_master);
  apply_takeover_hold(self, now);
  vrrp::Actions actions;
  apply_data_rules(self, actions, now);
  // Self-correction: Redis's actual role drifted from what the election
  // wants (changed by hand, or restarted): put it right, no failover.
  auto want = desired_role(self);
  if (h.healthy && !h.role.empty() && want && st.role_commanded == want && st.role_confirmed) {
    bool want_master = !want->has_value();
    bool is_master = h.role == "master";
    bool wrong_master = !want_master && !is_master &&
                        (h.master_host != (*want)->to_string() || h.master_port != redis_port(self));
    if (want_master != is_master || wrong_master) {
      spdlog::warn("{} Redis is {} but should be {}; correcting", st.ctx.tag(),
                   is_master ? "master" : "replica of " + h.master_host,
                   role_text(std::optional<RoleTarget>(*want)));
      command_role(self, *want);
    }
  }
  execute(self, actions);
}

vrrp::ElectionParams params_of(const InstanceContext& ctx) {
  const auto& in = ctx.instance;
  vrrp::ElectionParams p;
  p.vrid = in.virtual_router_id;
  p.version = in.version == config::VrrpVersion::v3 ? vrrp::Version::v3 : vrrp::Version::v2;
  p.priority = in.priority;
  p.advert_interval = vrrp::Centiseconds{in.advert_int_cs};
  p.initial_state =
      in.state == config::InitialState::master ? vrrp::State::master : vrrp::State::backup;
  p.nopreempt = in.nopreempt;
  p.preempt_delay = std::chrono::duration_cast<vrrp::Microseconds>(in.preempt_delay);
  p.primary_address = ctx.primary_address;
  return p;
}

caf::behavior election(Self* self, InstanceContext ctx, std::optional<ElectionSnapshot> snap) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  st.sm = std::make_unique<vrrp::StateMachine>(params_of(st.ctx));
  st.eligibility = std::make_unique<redis::Eligibility>(st.sm->master_down_interval());
  st.eligibility->set_alone_bound(2 * advert_interval(self));
  self->set_exception_handler(crash_handler("election" + st.ctx.tag()));
  auto now = Clock::now();
  if (snap) {
    auto machine = snap->machine;
    // A snapshot may be up to kSnapshotInterval old, older after restarts in
    // quick succession: a Backup waits a whole Master_Down_Interval again
    // rather than firing a stale timer, and a Master advertises at once; a
    // stale deadline would read as a stalled process (detect_stall).
    machine.master_down_timer.reset();
    machine.adver_timer.reset();
    machine.preempt_time.reset();
    st.sm->restore(machine, now);
    if (machine.master_address && !machine.master_is_self) st.master_heard_at = now;
    st.counters = snap->counters;
    *st.eligibility = snap->eligibility;
    st.failing_reported = machine.check_failed;
    st.eligible_reported = machine.priority_inputs.eligible;
    st.hold_reported = machine.priority_inputs.hold_floor_tie;
    // What was commanded before is unknown. A restored Master's VIP is still in the kernel:
    // counted as commanded, it is re-asserted when the wiring arrives and removed if this
    // Master steps down before it could advertise again. The role is re-asserted by
    // reconcile().
    st.vip_commanded_up = machine.state == vrrp::State::master;
    st.vip_confirmed = !st.vip_commanded_up;
    spdlog::info("{} Election resumed in {} state", st.ctx.tag(), vrrp::to_string(st.sm->state()));
  }
  self->delayed_send(self, kSnapshotInterval, snapshot_atom::value);
  return {
      [self](const Wiring& w) {
        auto& st = self->state;
        bool first = !st.wiring.supervisor;
        // A restarted redis_health knows nothing of an overdue Master, a restarted vip actor
        // nothing of a quiet Master.
        if (w.redis_health != st.wiring.redis_health) {
          st.master_overdue = false;
          st.takeover_hold.master_overdue(false);
        }
        if (w.vip != st.wiring.vip) st.garp_quiet = false;
        if (w.member_probe != st.wiring.member_probe) st.takeover_hold.watcher_restarted();
        st.wiring = w;
        apply_takeover_hold(self, Clock::now());
        if (first && st.sm->state() == vrrp::State::initialize && !st.stopping) {
          execute(self, st.sm->startup(Clock::now()));
        } else {
          // A peer restarted: re-send what it must hold. A restarted vip actor
          // finds the VIP still in the kernel, so re-adding it is no flap.
          if (st.vip_commanded_up) command_vip(self, true);
          if (st.role_commanded) command_role(self, *st.role_commanded);
          if (!st.stopping) reconcile(self);
          arm_timer(self);
        }
      },
      [self](tick_atom, std::uint64_t generation) {
        auto& st = self->state;
        if (generation != st.timer_generation) return;  // stale timer
        auto now = Clock::now();
        detect_stall(self, now);
        st.armed_deadline.reset();
        execute(self, st.sm->timer_tick(now));
      },
      [self](overdue_atom) { update_master_overdue(self); },
      [self](rules_atom) {
        // The data rules start from a first Redis report (a default one reads as failed).
        if (self->state.stopping || !self->state.redis_reported) return;
        vrrp::Actions actions;
        apply_data_rules(self, actions, Clock::now());
        execute(self, actions);
      },
      [self](const HistoryVerdict& v) {
        auto& st = self->state;
        if (!st.eligibility->cut_off_master()) return;
        const char* outcome = v.outcome == redis::FloorTie::ours     ? "this one wins"
                              : v.outcome == redis::FloorTie::theirs ? "it wins"
                                                                     : "the address decides";
        spdlog::warn("{} Met another cut-off Master, {}; Redis histories compared ({}): {}",
                     st.ctx.tag(), v.peer.to_string(), v.detail, outcome);
        st.eligibility->history_verdict(v.outcome);
        self->send(self, rules_atom::value);
      },
      [self](const VipReached& r) {
        self->state.takeover_hold.watch_result(r.reached);
        apply_takeover_hold(self, Clock::now());
        self->send(self, rules_atom::value);  // re-arms the timer a release moved
      },
      [self](const ProbeRound& r) {
        auto& st = self->state;
        st.members = r.members;
        if (r.members == 0) return;
        st.eligibility->set_members_known(true);
        st.eligibility->probe_round(r.started, r.answered > 0);
        st.eligibility->evaluate(Clock::now());
        self->send(self, rules_atom::value);
      },
      [self](snapshot_atom) {
        send_snapshot(self);
        self->delayed_send(self, kSnapshotInterval, snapshot_atom::value);
      },
      [self](const AdvertIn& in) {
        auto& st = self->state;
        ++st.counters["adverts_received"];
        if (st.stopping) {
          if (in.advert.priority > 0 && in.advert.source != st.ctx.primary_address &&
              has_redis(self) && st.stop_promise.pending() && !st.role_commanded.has_value()) {
            spdlog::info("{} New master {} heard; demoting Redis", st.ctx.tag(),
                         in.advert.source.to_string());
            command_role(self, in.advert.source);
          }
          return;
        }
        auto now = Clock::now();
        if (in.advert.priority > 0 && in.advert.source != st.ctx.primary_address) {
          st.master_heard_at = now;
        }
        garp_for_lower_master(self, in.advert, now);
        compare_with_floor_master(self, in.advert, now);
        detect_stall(self, now);
        execute(self, st.sm->advert_received(in.advert, now));
        // After the machine: a priority 0 advert makes the Master overdue at once, and is
        // itself contact with a member at that moment.
        if (in.advert.source != st.ctx.primary_address)
          st.eligibility->member_reached(Clock::now());
      },
      [self](const AdvertRejected& r) { on_rejected(self, r); },
      [self](const AdvertSent& r) {
        auto& st = self->state;
        if (!r.sent) ++st.counters["adverts_unsent"];
        if (st.stopping) return;
        execute(self, st.sm->advert_send_result(r.sent, Clock::now()));
      },
      [self](const VipDone& d) {
        auto& st = self->state;
        if (d.generation != st.vip_generation) return;
        if (!d.ok) {
          spdlog::error("{} VIP {} failed: {}", st.ctx.tag(), d.up ? "add" : "removal", d.error);
          return;  // the vip actor retries; a later VipDone confirms
        }
        st.vip_confirmed = true;
        if (!st.stopping) reconcile(self);
      },
      [self](const LinkStatus& l) {
        auto& st = self->state;
        if (st.stopping) return;
        spdlog::info("{} Interface {} is {}", st.ctx.tag(), st.ctx.instance.interface,
                     l.up ? "up" : "down");
        execute(self, st.sm->interface_status(l.up, Clock::now()));
      },
      [self](const GarpSent& g) { self->state.counters["gratuitous_arps"] += g.count; },
      [self](const RedisHealth& h) { on_redis_health(self, h); },
      [self](const RoleDone& d) {
        auto& st = self->state;
        if (d.generation != st.role_generation) return;  // superseded
        if (!d.ok) {
          spdlog::warn("{} Redis role change not yet done: {}", st.ctx.tag(), d.detail);
          // A Master whose Redis refuses REPLICAOF NO ONE for good cannot
          // serve: step down (VIP stays off, priority 0) so another node can.
          if (d.refused && st.role_commanded && !st.role_commanded->has_value() &&
              !st.role_refused) {
            st.role_refused = true;
            spdlog::error("{} Redis refuses to become master; stepping down until it accepts "
                          "role changes (check its ACL and rename-command)",
                          st.ctx.tag());
            vrrp::Actions actions;
            apply_data_rules(self, actions, Clock::now());
            execute(self, actions);
          }
          return;
        }
        st.role_confirmed = true;
        st.role_refused = false;
        spdlog::info("{} Redis is now {} ({})", st.ctx.tag(), role_text(st.role_commanded),
                     d.detail);
        if (st.stopping) {
          finish_stop(self, "Redis demoted");
          return;
        }
        reconcile(self);
      },
      [self](status_atom, const std::map<std::string, std::uint64_t>& restarts) {
        return status_json(self, restarts);
      },
      [self](stop_atom) -> caf::result<bool> {
        auto& st = self->state;
        st.stop_promise = self->make_response_promise<bool>();
        bool was_master = st.sm->state() == vrrp::State::master;
        st.stopping = true;
        execute(self, st.sm->shutdown(Clock::now()));
        command_vip(self, false);
        if (!was_master || !has_redis(self)) {
          finish_stop(self, was_master ? "VIP released, priority 0 sent" : "was not master");
          return st.stop_promise;
        }
        // Wait (bounded) for the new master's advert, then follow it.
        st.role_commanded.reset();
        auto wait = std::min<vrrp::Microseconds>(
            st.sm->master_down_interval() + std::chrono::seconds(1), kStopWaitLimit);
        spdlog::info("{} VIP released, priority 0 sent; waiting up to {} ms for the new master",
                     st.ctx.tag(), wait.count() / 1000);
        self->delayed_send(self, wait, stop_wait_atom::value);
        return st.stop_promise;
      },
      [self](stop_wait_atom) {
        auto& st = self->state;
        if (st.role_commanded) {
          finish_stop(self, "Redis demotion did not complete in time");
        } else {
          finish_stop(self, "no new master heard; Redis left as it is");
        }
      },
      [self](crash_atom) -> caf::result<void> {
        throw std::runtime_error("crash requested by test hook");
      },
  };
}

}  // namespace

caf::actor spawn_election(caf::local_actor* parent, const InstanceContext& ctx,
                          const ElectionSnapshot* snapshot) {
  std::optional<ElectionSnapshot> snap;
  if (snapshot != nullptr) snap = *snapshot;
  return parent->spawn(election, ctx, snap);
}

}  // namespace redkeep::actors
