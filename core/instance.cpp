#include "core/instance.hpp"

#include <fmt/format.h>

#include "core/params.hpp"

namespace redkeep::core {

namespace vrrp = net::vrrp;

namespace {

/// Rejected packets are logged at most once per reason in this interval.
constexpr auto kRejectLogInterval = std::chrono::seconds(10);

/// "redis-cli -h ADDRESS -p PORT" for a member's "ADDRESS:PORT".
std::string cli_target(const std::string& member) {
  const auto colon = member.rfind(':');
  return "redis-cli -h " + member.substr(0, colon) + " -p " + member.substr(colon + 1);
}

}  // namespace

std::string role_text(const std::optional<RoleTarget>& role) {
  if (!role) return "";
  if (!role->has_value()) return "master";
  return "replica of " + (*role)->to_string();
}

Instance::Instance(config::VrrpInstance config, net::IpAddress primary)
    : config_(std::move(config)),
      primary_(primary),
      sm_(election_params(config_, primary_)),
      eligibility_(sm_.master_down_interval()),
      scripts_(config_.track_script) {
  eligibility_.set_alone_bound(alone_bound(config_));
}

Output Instance::resume(const Snapshot& snap, TimePoint now) {
  out_.clear();
  auto machine = snap.machine;
  // The snapshot is this instance's, whatever VRID a reload gave it since.
  machine.vrid = config_.virtual_router_id;
  // A snapshot may be a second old, older after restarts in quick succession: a Backup waits
  // a whole Master_Down_Interval again rather than firing a stale timer, and a Master
  // advertises at once; a stale deadline would read as a stalled process (detect_stall).
  machine.master_down_timer.reset();
  machine.adver_timer.reset();
  machine.preempt_time.reset();
  sm_.restore(machine, now);
  if (machine.master_address && !machine.master_is_self) master_heard_at_ = now;
  counters_ = snap.counters;
  eligibility_ = snap.eligibility;
  eligibility_.set_alone_bound(alone_bound(config_));  // a reload may have changed advert_int
  cold_start_overridden_ = snap.cold_start_overridden;
  switchover_boost_ = snap.switchover_boost;
  boost_reported_ = machine.priority_inputs.switchover;
  if (machine.state == vrrp::State::master) master_since_ = now;
  failing_reported_ = machine.check_failed;
  eligible_reported_ = machine.priority_inputs.eligible;
  hold_reported_ = machine.priority_inputs.hold_floor_tie;
  weight_reported_ = machine.priority_inputs.weight_sum;
  // Each script's last results carry over (a reload may have changed weights: the new ones
  // count); the rules run again once resumed, so the priority is what a cold start would give.
  scripts_.carry_over(snap.scripts);
  // What was commanded before is unknown. A restored Master's VIP is still in the kernel:
  // counted as commanded, it is re-asserted when the wiring arrives and removed if this Master
  // steps down before it could advertise again. The role is re-asserted by reconcile().
  vip_commanded_up_ = machine.state == vrrp::State::master;
  vip_confirmed_ = !vip_commanded_up_;
  log(LogLevel::info, LogKind::resumed,
      fmt::format("Election resumed in {} state", vrrp::to_string(sm_.state())));
  emit(RecheckLater{});
  return std::move(out_);
}

Output Instance::handle(const Event& event, TimePoint now) {
  out_.clear();
  std::visit([&](const auto& e) { on(e, now); }, event);
  progress_switchover();
  return std::move(out_);
}

Snapshot Instance::snapshot() const {
  return Snapshot{sm_.snapshot(),    counters_,         eligibility_,
                  cold_start_overridden_, switchover_boost_, scripts_};
}

void Instance::log(LogLevel level, LogKind kind, std::string text,
                   std::vector<LogEvent::Field> fields) {
  emit(LogEvent{level, kind, std::move(text), std::move(fields)});
}

// --- VIP and Redis role: commanded versus confirmed ---------------------------------------

void Instance::command_vip(bool up) {
  vip_commanded_up_ = up;
  vip_confirmed_ = false;
  emit(VipCommand{++vip_generation_, up});
}

void Instance::command_role(const RoleTarget& master) {
  role_commanded_ = master;
  role_confirmed_ = false;
  emit(RoleCommand{++role_generation_, master, redis_port(), master.has_value(),
                   redis_.loaded_data});
}

/// What the local Redis should be now: master (inner nullopt) on the Master; a replica of the
/// Master's Redis (peer_redis_address) on a Backup or in Fault when it is known; nothing to
/// change otherwise.
std::optional<RoleTarget> Instance::desired_role() const {
  if (!has_redis()) return std::nullopt;
  if (sm_.state() == vrrp::State::master) return RoleTarget{};
  const bool follows = sm_.state() == vrrp::State::backup || sm_.state() == vrrp::State::fault;
  if (follows && sm_.master_address() && !sm_.master_is_self()) {
    // A Master whose Redis address is unknown (on_master_changed logged it) is not followed.
    if (auto redis = peer_redis_address(config_, *sm_.master_address())) return RoleTarget{*redis};
  }
  return std::nullopt;
}

/// Rule "promote before the VIP, VIP off before demoting" (DESIGN.md section 4): brings VIP
/// and Redis role in line with the election. Called after every event; idempotent.
void Instance::reconcile() {
  const auto want = desired_role();
  if (sm_.state() == vrrp::State::master) {
    // Nobody knows this node is Master before one of its adverts went out: a Master that
    // cannot send neither promotes its Redis nor adds the VIP (it steps down instead).
    if (!sm_.advertising()) return;
    if (want && role_commanded_ != want) command_role(*want);
    if (has_redis() && !role_confirmed_) return;
    if (!vip_commanded_up_) command_vip(true);
    return;
  }
  if (vip_commanded_up_) command_vip(false);
  if (!vip_confirmed_) return;
  if (want && role_commanded_ != want) command_role(*want);
}

// --- the state machine's actions and timers -----------------------------------------------

void Instance::execute(const vrrp::Actions& actions, TimePoint now) {
  bool changed = false;
  for (const auto& action : actions) {
    if (const auto* a = std::get_if<vrrp::SendAdvert>(&action)) {
      emit(AdvertOut{a->priority});
      ++counters_.adverts_sent;
      if (vip_held()) emit(RenewVip{});
    } else if (const auto* s = std::get_if<vrrp::StateChanged>(&action)) {
      ++counters_.transitions;
      eligibility_.set_vrrp_master(s->to == vrrp::State::master, now);
      if (s->to == vrrp::State::master) {
        master_since_ = now;
      } else {
        master_since_.reset();
      }
      emit(RecheckLater{});
      // The advertised priority means something only while taking part.
      if (s->to == vrrp::State::master || s->to == vrrp::State::backup) {
        log(LogLevel::info, LogKind::state_change,
            fmt::format("Entering {} state ({}, priority {})", vrrp::to_string(s->to), s->reason,
                        sm_.effective_priority()),
            {{"from", vrrp::to_string(s->from)},
             {"to", vrrp::to_string(s->to)},
             {"cause", s->reason},
             {"priority", std::to_string(sm_.effective_priority())}});
      } else {
        log(LogLevel::info, LogKind::state_change,
            fmt::format("Entering {} state ({})", vrrp::to_string(s->to), s->reason),
            {{"from", vrrp::to_string(s->from)},
             {"to", vrrp::to_string(s->to)},
             {"cause", s->reason}});
      }
      if (!config_.notify.empty() && s->to != vrrp::State::initialize)
        emit(Notify{vrrp::to_string(s->to), sm_.effective_priority()});
      changed = true;
    } else if (const auto* m = std::get_if<vrrp::MasterChanged>(&action)) {
      if (m->self) {
        log(LogLevel::info, LogKind::master_change,
            "Master is now this node (" + primary_.to_string() + ")",
            {{"master", primary_.to_string()}, {"self", "true"}});
      } else if (m->master) {
        log(LogLevel::info, LogKind::master_change, "Master is now " + m->master->to_string(),
            {{"master", m->master->to_string()}});
        if (has_redis() && !peer_redis_address(config_, *m->master))
          log(LogLevel::warn, LogKind::config_warning,
              "The Master's adverts come from " + m->master->to_string() +
                  ", which has no peer_address entry in the redis block: where its Redis "
                  "listens is unknown, so this node's Redis does not follow it",
              {{"master", m->master->to_string()}});
      } else {
        // Which replica is most up to date must be known before Skew_Time: the Master is
        // overdue at once (update_master_overdue).
        log(LogLevel::info, LogKind::master_change, "Master unknown");
      }
      changed = true;
    }
    // AddVips / RemoveVips are implied by the state: reconcile() acts on it.
  }
  if (!stopping_) reconcile();
  arm_timer(now);
  if (changed) emit(SaveSnapshot{});
  // A Master at the floor because it is cut off: its delayed (garp_master_delay) and refresh
  // bursts would come as it heals, and pull clients to a node about to yield (seen in the
  // lab: acknowledged writes lost). Its first burst, at takeover, stays: a lone survivor
  // needs it.
  const bool quiet = sm_.state() == vrrp::State::master && eligibility_.cut_off_master();
  if (quiet != garp_quiet_ && vip_up_) {
    garp_quiet_ = quiet;
    emit(GarpQuiet{quiet});
  }
}

void Instance::arm_timer(TimePoint now) {
  update_master_overdue(now);
  const auto deadline = sm_.next_deadline();
  if (deadline == armed_deadline_) return;
  armed_deadline_ = deadline;
  ++timer_generation_;
  if (deadline) emit(ArmTimer{timer_generation_, *deadline});
}

/// Tells redis_health when the Master's adverts stop (overdue) and when a Master is heard
/// again: while overdue it compares offsets with the fellow replicas at every check, so that a
/// replica behind another advertises the floor priority before Master_Down_Interval ends and
/// the one holding the most takes over (the link still looks up when the Master's
/// node vanished silently).
void Instance::update_master_overdue(TimePoint now) {
  const auto at = sm_.master_overdue_at();
  const bool overdue = at && now >= *at && has_redis();
  if (overdue != master_overdue_ && redis_health_up_) {
    master_overdue_ = overdue;
    emit(MasterOverdue{overdue});
    // Cut off from every member? The verdict must be in before the Master_Down_Timer fires.
    eligibility_.set_master_overdue(overdue, now);
    if (overdue) emit(ProbeMembers{});
    takeover_hold_.master_overdue(overdue);
    apply_takeover_hold(now);
    emit(RecheckLater{});
  }
  if (at && !overdue && at != armed_overdue_) {
    armed_overdue_ = at;
    emit(ArmOverdue{*at});
  }
}

/// A timer that fires, or any event that arrives, long after the armed deadline means this
/// process was stalled (SIGSTOP, a frozen VM): the others have likely elected meanwhile.
/// Checked before the event is handled, so a resumed Master advertises the floor priority and
/// yields to the new one instead of taking the VIP back with its configured priority.
void Instance::detect_stall(TimePoint now) {
  if (!armed_deadline_ || now <= *armed_deadline_) return;
  const auto late = std::chrono::duration_cast<std::chrono::microseconds>(now - *armed_deadline_);
  if (!eligibility_.timer_overran(late)) return;
  run_data_rules(now);
}

// --- the data rules ------------------------------------------------------------------------

/// Carries out what the held-takeover policy (core::TakeoverHold) asks after an observation:
/// start or stop the VIP watch, hold or release the takeover.
void Instance::apply_takeover_hold(TimePoint now) {
  const auto c = takeover_hold_.commands();
  if (c.watch) {
    std::optional<net::RedisEndpoint> vip;
    const auto address = client_vip(config_);  // a watch follows a verdict through it
    if (*c.watch && address) vip = net::RedisEndpoint{*address, redis_port()};
    emit(VipWatch{vip});
  }
  if (!c.hold) return;
  sm_.hold_takeover(*c.hold, now);
  if (*c.hold)
    log(LogLevel::warn, LogKind::takeover_held,
        fmt::format("The Master's adverts are overdue, but the VIP still leads to the Redis this "
                    "replica follows ({}): not taking over while it does (promoting would split "
                    "the writes)",
                    redis_.vip_detail));
  else
    log(LogLevel::info, LogKind::takeover_released,
        std::string("Takeover no longer held: ") + takeover_hold_.release_reason());
}

/// True when the local Redis has completed a sync with the current Master: replica of its
/// Redis address, link up, no sync running.
bool Instance::synced_with_master(const RedisHealth& h) const {
  if (!sm_.master_address() || sm_.master_is_self()) return false;
  const auto master_redis = peer_redis_address(config_, *sm_.master_address());
  if (!master_redis) return false;
  return h.role == redis::InfoRole::replica && h.master_host == master_redis->to_string() &&
         h.master_port == redis_port() && h.master_link_status == redis::LinkStatus::up &&
         !h.sync_in_progress;
}

/// Feeds the data rules' verdict to the machine: a Master whose Redis restarted steps down (a
/// check failure: VIP off, priority 0); any other rule only lowers the advertised priority to
/// the floor, so VRRP itself prefers a node that holds the data.
void Instance::apply_data_rules(vrrp::Actions& actions, TimePoint now) {
  const bool step_out = eligibility_.must_step_down();
  if (step_out != step_out_reported_) {
    step_out_reported_ = step_out;
    if (step_out) {
      log(LogLevel::warn, LogKind::step_out,
          eligibility_.cold_start_holds()
              ? "Staying out of Master (FAULT) until the cold start lets it lead or its Redis "
                "has synced with a master: " + eligibility_.reason()
              : "Staying out of Master (FAULT) until its Redis has synced with a master, or none "
                "is heard for twice Master_Down_Interval: " + eligibility_.reason());
    } else {
      log(LogLevel::info, LogKind::step_out_ended, "May take Master again");
    }
  }
  const ScriptVerdict scripts = scripts_.verdict();
  const bool failing =
      (has_redis() && !redis_.healthy) || step_out || role_refused_ || !scripts.fault.empty();
  const bool eligible = eligibility_.eligible() && scripts.waiting.empty();
  // Every change of reason is logged: one rule may give way to another while not eligible.
  // A Backup whose Master just went quiet floors itself until its first probe round says
  // whether it is cut off: that moment is not worth a warning in every failover.
  std::string reason = eligibility_.awaiting_probe() ? reason_reported_ : eligibility_.reason();
  if (reason.empty() && !scripts.waiting.empty())
    reason = "waiting for the first result of script " + scripts.waiting;
  if (reason != reason_reported_) {
    if (reason.empty()) {
      log(LogLevel::info, LogKind::eligible, "Eligible to be master again");
    } else {
      log(LogLevel::warn, LogKind::not_eligible,
          fmt::format("Not eligible to be master: {}; advertising priority {}", reason,
                      vrrp::kFloorPriority),
          {{"reason", reason}, {"priority", std::to_string(vrrp::kFloorPriority)}});
    }
    reason_reported_ = reason;
  }
  if (failing != failing_reported_ || sm_.state() == vrrp::State::initialize) {
    failing_reported_ = failing;
    auto a = sm_.check_status(failing, now);
    actions.insert(actions.end(), a.begin(), a.end());
  }
  const bool hold = eligibility_.hold_floor_tie();
  const bool boost = switchover_boost(now);
  const bool never = has_redis() && redis_.replica_priority == 0;
  if (never != never_reported_) {
    if (never)
      log(LogLevel::warn, LogKind::never_master,
          "Redis has replica-priority 0 (never promote this node): staying out of Master",
          {{"replica_priority", "0"}});
    else
      log(LogLevel::info, LogKind::never_master,
          "Redis has replica-priority " +
              (redis_.replica_priority ? std::to_string(*redis_.replica_priority)
                                       : std::string("unknown")) +
              " again: may take Master",
          {{"replica_priority",
            redis_.replica_priority ? std::to_string(*redis_.replica_priority) : ""}});
  }
  if (eligible != eligible_reported_ || hold != hold_reported_ || boost != boost_reported_ ||
      scripts.weight_sum != weight_reported_ || never != never_reported_) {
    const auto before = sm_.effective_priority();
    eligible_reported_ = eligible;
    hold_reported_ = hold;
    boost_reported_ = boost;
    weight_reported_ = scripts.weight_sum;
    never_reported_ = never;
    auto a = sm_.priority_inputs({eligible, scripts.weight_sum, hold, boost, never}, now);
    actions.insert(actions.end(), a.begin(), a.end());
    if (sm_.effective_priority() != before && eligible && !boost)
      log(LogLevel::info, LogKind::priority_change,
          fmt::format("Effective priority {} -> {} (priority {}, tracked scripts {:+})", before,
                      sm_.effective_priority(), config_.priority, scripts.weight_sum),
          {{"from", std::to_string(before)},
           {"to", std::to_string(sm_.effective_priority())},
           {"weight_sum", std::to_string(scripts.weight_sum)}});
  }
}

void Instance::run_data_rules(TimePoint now) {
  vrrp::Actions actions;
  apply_data_rules(actions, now);
  execute(actions, now);
}

/// Self-correction: Redis's actual role drifted from what the election wants (changed by
/// hand, or restarted): put it right, no failover.
void Instance::correct_role_drift(const RedisHealth& h) {
  const auto want = desired_role();
  if (!h.healthy || h.role == redis::InfoRole::unknown || !want || role_commanded_ != want ||
      !role_confirmed_)
    return;
  const bool want_master = !want->has_value();
  const bool is_master = h.role == redis::InfoRole::master;
  const bool wrong_master =
      !want_master && !is_master &&
      (h.master_host != (*want)->to_string() || h.master_port != redis_port());
  if (want_master == is_master && !wrong_master) return;
  log(LogLevel::warn, LogKind::role_corrected,
      fmt::format("Redis is {} but should be {}; correcting",
                  is_master ? "master" : "replica of " + h.master_host, role_text(*want)));
  command_role(*want);
}

/// A Master hearing another Master of lower priority (one that took over on an island)
/// sends a gratuitous ARP burst at once, as keepalived's garp_lower_prio_repeat does:
/// clients that followed the other's ARPs come back before it yields. Once per interval.
void Instance::garp_for_lower_master(const vrrp::PeerAdvert& a, TimePoint now) {
  if (sm_.state() != vrrp::State::master || a.priority == 0 || a.source == primary_) return;
  // Strictly lower: between two floor-priority Masters comparing histories, ARPs would pull
  // the clients to one of them before the comparison has decided.
  const auto own = sm_.effective_priority();
  if (a.priority >= own) return;
  if (lower_master_garp_ && now - *lower_master_garp_ < advert_interval(config_)) return;
  lower_master_garp_ = now;
  log(LogLevel::info, LogKind::lower_master_garp,
      fmt::format("Heard another Master, {} with priority {} (own {}): announcing the VIPs now "
                  "({}) so clients that followed it come back",
                  a.source.to_string(), a.priority, own,
                  a.source.is_v4() ? "gratuitous ARP" : "unsolicited Neighbor Advertisements"));
  emit(GarpBurst{});
}

/// A cut-off Master (at the floor) meets another floor-priority Master: before the address
/// decides, whose Redis history contains the other's. Asked once per interval.
void Instance::compare_with_floor_master(const vrrp::PeerAdvert& a, TimePoint now) {
  if (!has_redis() || sm_.state() != vrrp::State::master || !eligibility_.hold_floor_tie() ||
      a.priority != sm_.effective_priority() || a.source == primary_)
    return;
  const auto peer_redis = peer_redis_address(config_, a.source);
  if (!peer_redis) return;  // its Redis address is unknown (logged when it became Master)
  if (history_asked_ && now - *history_asked_ < advert_interval(config_)) return;
  history_asked_ = now;
  emit(CompareHistory{*peer_redis});
}

void Instance::finish_stop(const std::string& how) {
  if (!stopping_ || stop_done_) return;
  stop_done_ = true;
  log(LogLevel::info, LogKind::stopped, "Stopped: " + how);
  if (!config_.notify.empty()) emit(Notify{"STOP", sm_.effective_priority()});
  emit(SaveSnapshot{});
  emit(StopDone{});
}

// --- events --------------------------------------------------------------------------------

void Instance::on(const Wired& w, TimePoint now) {
  // A restarted redis_health knows nothing of an overdue Master, a restarted vip actor nothing
  // of a quiet Master, a restarted member_probe nothing of the VIP watch.
  if (w.redis_health) {
    master_overdue_ = false;
    takeover_hold_.master_overdue(false);
  }
  if (w.vip) garp_quiet_ = false;
  redis_health_up_ = w.redis_health_up;
  vip_up_ = w.vip_up;
  if (w.member_probe) takeover_hold_.watcher_restarted();
  apply_takeover_hold(now);
  if (w.first && sm_.state() == vrrp::State::initialize && !stopping_) {
    // Without a redis block no Redis report starts the data rules: the tracked scripts' state
    // at start (a weight-0 script waiting for its first result, or init_fail) applies now,
    // before startup() reads the inputs.
    if (!has_redis() && scripts_.size() > 0) run_data_rules(now);
    execute(sm_.startup(now), now);
    return;
  }
  // A child restarted: re-send what it must hold. A restarted vip actor finds the VIP still
  // in the kernel, so re-adding it is no flap.
  if (vip_commanded_up_) command_vip(true);
  if (role_commanded_) command_role(*role_commanded_);
  if (!stopping_) reconcile();
  arm_timer(now);
}

void Instance::on(const TimerFired& t, TimePoint now) {
  if (t.generation != timer_generation_) return;  // stale timer
  detect_stall(now);
  armed_deadline_.reset();
  execute(sm_.timer_tick(now), now);
}

void Instance::on(const OverdueDue&, TimePoint now) { update_master_overdue(now); }

void Instance::on(const Recheck&, TimePoint now) {
  // The data rules start from a first Redis report (a default one reads as failed).
  if (stopping_ || (has_redis() && !redis_reported_)) return;
  run_data_rules(now);
}

void Instance::on(const ReplicationDiagnosis& e, TimePoint) { diagnosis_ = e.causes; }

void Instance::on(const ScriptRun& e, TimePoint now) {
  if (e.index >= scripts_.size()) return;
  if (scripts_.record(e.index, e.success, e.detail)) {
    const auto& script = scripts_.script(e.index);
    const bool good = scripts_.good(e.index).value_or(false);
    log(good ? LogLevel::info : LogLevel::warn, LogKind::script_state,
        fmt::format("VRRP_Script({}) {}{}", script.script.name, good ? "succeeded" : "failed",
                    good ? "" : " (" + e.detail + ")"),
        {{"script", script.script.name},
         {"result", good ? "succeeded" : "failed"},
         {"detail", e.detail},
         {"weight", std::to_string(script.weight)}});
    emit(SaveSnapshot{});
  }
  // With a redis block the data rules wait for the first Redis report (a default one reads as
  // failed); that report applies the scripts' state too.
  if (stopping_ || (has_redis() && !redis_reported_)) return;
  run_data_rules(now);
}

void Instance::on(const HistoryVerdict& v, TimePoint) {
  if (!eligibility_.cut_off_master()) return;
  const char* outcome = v.outcome == redis::FloorTie::ours     ? "this one wins"
                        : v.outcome == redis::FloorTie::theirs ? "it wins"
                                                               : "the address decides";
  log(LogLevel::warn, LogKind::floor_tie,
      fmt::format("Met another cut-off Master, {}; Redis histories compared ({}): {}",
                  v.peer.to_string(), v.detail, outcome));
  eligibility_.history_verdict(v.outcome);
  emit(RecheckLater{});
}

void Instance::on(const VipReached& r, TimePoint now) {
  takeover_hold_.watch_result(r.reached);
  apply_takeover_hold(now);
  emit(RecheckLater{});  // re-arms the timer a release moved
}

void Instance::on(const ProbeRound& r, TimePoint now) {
  members_ = r.members;
  if (r.members == 0) return;
  eligibility_.set_members_known(true);
  eligibility_.probe_round(r.started, r.answered > 0);
  eligibility_.evaluate(now);
  emit(RecheckLater{});
}

void Instance::on(const AdvertIn& in, TimePoint now) {
  ++counters_.adverts_received;
  const auto& a = in.advert;
  if (stopping_) {
    const auto new_master = peer_redis_address(config_, a.source);
    if (a.priority > 0 && a.source != primary_ && has_redis() && !stop_done_ &&
        !role_commanded_.has_value() && new_master) {
      log(LogLevel::info, LogKind::stop_demote,
          "New master " + a.source.to_string() + " heard; demoting Redis");
      command_role(*new_master);
    }
    return;
  }
  if (a.priority > 0 && a.source != primary_) master_heard_at_ = now;
  garp_for_lower_master(a, now);
  compare_with_floor_master(a, now);
  detect_stall(now);
  execute(sm_.advert_received(a, now), now);
  // After the machine: a priority 0 advert makes the Master overdue at once, and is itself
  // contact with a member at that moment.
  if (a.source != primary_) eligibility_.member_reached(now);
}

void Instance::on(const AdvertRejected& r, TimePoint now) {
  const auto i = static_cast<std::size_t>(r.reason);
  if (i >= counters_.rejected.size()) return;
  ++counters_.rejected[i];
  // Other virtual routers on the segment are normal traffic: count only.
  if (r.reason == vrrp::RejectReason::vrid) return;
  auto& logged = reject_logged_at_[i];
  if (logged && now - *logged < kRejectLogInterval) {
    ++unlogged_rejects_[i];
    return;
  }
  const auto suppressed = unlogged_rejects_[i];
  unlogged_rejects_[i] = 0;
  logged = now;
  auto text = fmt::format("Rejected advert ({}): {}", vrrp::to_string(r.reason), r.detail);
  if (suppressed > 0) text += fmt::format(" [{} more since last report]", suppressed);
  log(LogLevel::warn, LogKind::advert_rejected, std::move(text),
      {{"reason", vrrp::to_string(r.reason)},
       {"detail", r.detail},
       {"suppressed", std::to_string(suppressed)}});
}

void Instance::on(const AdvertSent& r, TimePoint now) {
  if (!r.sent) ++counters_.adverts_unsent;
  if (stopping_) return;
  execute(sm_.advert_send_result(r.sent, now), now);
}

void Instance::on(const VipDone& d, TimePoint) {
  if (d.generation != vip_generation_) return;
  if (!d.ok) {
    log(LogLevel::error, LogKind::vip_failed,
        fmt::format("VIP {} failed: {}", d.up ? "add" : "removal", d.error),
        {{"operation", d.up ? "add" : "remove"}, {"error", d.error}});
    return;  // the vip actor retries; a later VipDone confirms
  }
  vip_confirmed_ = true;
  if (!stopping_) reconcile();
}

void Instance::on(const LinkStatus& l, TimePoint now) {
  if (stopping_) return;
  log(LogLevel::info, LogKind::link,
      fmt::format("Interface {} is {}", config_.interface, l.up ? "up" : "down"));
  execute(sm_.interface_status(l.up, now), now);
}

void Instance::on(const GarpSent& g, TimePoint) { counters_.gratuitous_arps += g.count; }

void Instance::on(const RedisHealth& h, TimePoint now) {
  redis_ = h;
  redis_reported_ = true;
  // A restarted Redis holds none of the roles commanded before (redis_health made it a replica
  // of nowhere): the next role is commanded and confirmed again before a VIP leads to it.
  if (h.restarted) {
    role_commanded_.reset();
    role_confirmed_ = false;
  }
  core::EligibilityObservation o;
  o.healthy = h.healthy;
  o.loading = h.loading;
  o.restarted = h.restarted;
  o.is_replica = h.role == redis::InfoRole::replica;
  o.synced_with_master = synced_with_master(h);
  o.behind_peer = h.behind_peer;
  o.connected_replicas = h.connected_replicas;
  o.replicas_following = h.replicas_following;
  o.replicas_syncing = h.replicas_syncing;
  o.replicas_silent_for = std::chrono::seconds(h.replicas_silent_s);
  o.vrrp_master = sm_.state() == vrrp::State::master;
  // In Fault the machine keeps the last Master it knew, alive or not: only a Master heard
  // within Master_Down_Interval counts as one.
  const bool heard = master_heard_at_ && now - *master_heard_at_ < sm_.master_down_interval();
  if (sm_.master_address() && !sm_.master_is_self() && heard)
    o.vrrp_master_address = sm_.master_address();
  if (h.behind_peer.value_or(false) && eligibility_.eligible())
    log(LogLevel::warn, LogKind::behind_peer, "This replica is behind another: " + h.behind_detail);
  judge_cold_start(h);
  if (h.restarted)
    log(LogLevel::warn, LogKind::redis_restarted,
        fmt::format("Redis restarted (new run_id {}): {}", h.run_id.substr(0, 8),
                    cold_start_.state == ColdStartState::off
                        ? "not eligible until it has re-synced from the master"
                        : "it holds data loaded from disk; the cold start decides whether it "
                          "leads or re-syncs from the master"));
  eligibility_.set_master_down_interval(sm_.master_down_interval());
  eligibility_.observe(o, now);
  if (stopping_) return;
  // Not confirmed at this check (no answer in time, or no redkeep watching it): plain VRRP.
  takeover_hold_.report(h.vip_serves_master);
  apply_takeover_hold(now);
  vrrp::Actions actions;
  apply_data_rules(actions, now);
  correct_role_drift(h);
  execute(actions, now);
}

/// Cold start: the verdict on this report's comparisons, handed to the data rules,
/// and logged once per state (waiting: with the command that overrides it).
void Instance::judge_cold_start(const RedisHealth& h) {
  // The override is for the restart at hand: the next one waits for the quorum again.
  if (!h.loaded_data) cold_start_overridden_ = false;
  // A Master it became through the cold start (newest) serves: its replicas may look newer
  // than its Redis did a moment ago, which is no reason to step down. (A Master whose Redis
  // restarted steps down by the rule for a restart.)
  const bool cold = h.loaded_data && sm_.state() != vrrp::State::master;
  cold_start_ = core::judge_cold_start(cold, config_.redis->cold_start_quorum,
                                       h.members_known, h.cold_start_compared,
                                       h.cold_start_missing, cold_start_overridden_);
  eligibility_.set_cold_start(
      cold_start_.state,
      cold_start_.state == ColdStartState::waiting
          ? fmt::format("cold start: waiting to compare its data with cold_start_quorum {} "
                        "members ({} compared, this node included)",
                        cold_start_.quorum, cold_start_.compared.size() + 1)
          : describe(cold_start_));
  if (cold_start_.state == cold_start_logged_) return;
  cold_start_logged_ = cold_start_.state;
  if (cold_start_.state == ColdStartState::off) return;
  const auto level = cold_start_.state == ColdStartState::newest ? LogLevel::info
                     : cold_start_.state == ColdStartState::diverged ? LogLevel::error
                                                                      : LogLevel::warn;
  std::string text = describe(cold_start_);
  const auto force = "redkeep cold-start --force --instance " + config_.name;
  if (cold_start_.state == ColdStartState::waiting) {
    text += "; not taking Master before then. To start without the missing members (their "
            "data may be newer): " + force;
    if (cold_start_.quorum > h.members_known + 1)
      text += fmt::format(" (cold_start_quorum {} cannot be met: {} member(s) known)",
                          cold_start_.quorum, h.members_known);
  }
  const auto port = std::to_string(config_.redis->port);
  if (cold_start_.state == ColdStartState::behind)
    text += "; it stays out of Master and follows that node once it leads. If that node cannot "
            "lead (its redkeep is not running) and no master serves, let this node's older data "
            "lead: " + force;
  if (cold_start_.state == ColdStartState::diverged)
    text += "; it stays out of Master and refuses to re-sync from that node, keeping its data. "
            "To settle, copy what you need from the side you discard, then empty it: here, "
            "redis-cli -p " + port + " CONFIG SET replica-read-only no, then redis-cli -p " +
            port + " FLUSHALL (it then re-syncs from the master); or the same on the other "
            "side, " + cli_target(cold_start_.decided_by) + ", after which this node's data leads";
  log(level, LogKind::cold_start, text,
      {{"state", to_string(cold_start_.state)}, {"quorum", std::to_string(cold_start_.quorum)}});
}

void Instance::on(const ColdStartOverride&, TimePoint now) {
  if (cold_start_overridden_ || cold_start_.state == ColdStartState::off) return;
  cold_start_overridden_ = true;
  log(LogLevel::warn, LogKind::cold_start,
      "Cold start overridden by the operator: going on without the members not compared "
      "(as with cold_start_quorum 1)");
  if (!has_redis()) return;
  judge_cold_start(redis_);
  run_data_rules(now);
}

void Instance::on(const RoleDone& d, TimePoint now) {
  if (d.generation != role_generation_) return;  // superseded
  if (!d.ok) {
    role_error_ = d.detail;
    log(LogLevel::warn, d.resync_refused ? LogKind::refused_resync : LogKind::role_failed,
        "Redis role change not yet done: " + d.detail);
    // A Master whose Redis refuses REPLICAOF NO ONE for good cannot serve: step down (VIP
    // stays off, priority 0) so another node can.
    if (d.refused && role_commanded_ && !role_commanded_->has_value() && !role_refused_) {
      role_refused_ = true;
      log(LogLevel::error, LogKind::role_refused,
          "Redis refuses to become master; stepping down until it accepts role changes (check "
          "its ACL and rename-command)");
      run_data_rules(now);
    }
    return;
  }
  role_confirmed_ = true;
  role_refused_ = false;
  role_error_.clear();
  log(LogLevel::info, LogKind::redis_role,
      fmt::format("Redis is now {} ({})", role_text(role_commanded_), d.detail),
      {{"role", role_text(role_commanded_)}, {"detail", d.detail}});
  if (stopping_) {
    finish_stop("Redis demoted");
    return;
  }
  reconcile();
}

void Instance::on(const Stop&, TimePoint now) {
  if (stopping_) return;  // one stop protocol
  // A takeover under way: the pause is lifted only once the old Master has demoted.
  if (switchover_) end_switchover(false, "redkeep is stopping", switchover_->taking_over);
  const bool was_master = sm_.state() == vrrp::State::master;
  stopping_ = true;
  execute(sm_.shutdown(now), now);
  command_vip(false);
  if (!was_master || !has_redis()) {
    finish_stop(was_master ? "VIP released, priority 0 sent" : "was not master");
    return;
  }
  // Wait (bounded) for the new master's advert, then follow it.
  role_commanded_.reset();
  const auto wait = stop_wait(sm_.master_down_interval());
  log(LogLevel::info, LogKind::stopping,
      fmt::format("VIP released, priority 0 sent; waiting up to {} ms for the new master",
                  wait.count() / 1000));
  emit(ArmStopWait{wait});
}

void Instance::on(const StopWaitOver&, TimePoint) {
  finish_stop(role_commanded_ ? "Redis demotion did not complete in time"
                              : "no new master heard; Redis left as it is");
}

}  // namespace redkeep::core
