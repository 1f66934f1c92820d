#include "actors/election.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <thread>
#include <vector>

#include "actors/crash_reason.hpp"
#include "actors/notify.hpp"
#include "actors/service_manager.hpp"
#include "core/instance.hpp"

namespace redkeep::actors {

namespace {

using Clock = std::chrono::steady_clock;

/// How often the supervisor gets a fresh snapshot besides every transition.
constexpr auto kSnapshotInterval = std::chrono::seconds(1);

struct ElectionState {
  InstanceContext ctx;
  std::unique_ptr<core::Instance> core;
  Wiring wiring;
  // Every stop_atom is answered when the one stop protocol is over (a reload's restart and
  // SIGTERM may both ask).
  std::vector<caf::typed_response_promise<bool>> stop_promises;
  bool stop_done = false;
  std::map<std::uint64_t, caf::typed_response_promise<std::string>> switchovers;  // by id
  std::uint64_t switchover_ids = 0;
  net::vrrp::State told_state = net::vrrp::State::initialize;  // last told the service manager

  static inline const char* name = "election";
};

using Self = election_actor::stateful_base<ElectionState>;

/// Sends to a child unless it is between restarts (null handle: the core re-sends once wired).
template <class Handle, class... Ts>
void send_to(Self* self, const Handle& dest, Ts&&... xs) {
  if (dest) self->send(dest, std::forward<Ts>(xs)...);
}

/// The actor system's clock: steady_clock in the daemon, virtual under CAF's test_coordinator.
Clock::time_point now(Self* self) { return self->clock().now(); }

/// The delay from now until `at` (zero when past), for delayed_send.
std::chrono::microseconds until(Self* self, Clock::time_point at) {
  const auto delay = at - now(self);
  return std::chrono::duration_cast<std::chrono::microseconds>(
      std::max(delay, Clock::duration::zero()));
}

/// Hands the core's resumable state to the supervisor (a plain actor: its restart machinery is
/// generic); the supervisor keeps it only from the group's current election.
void save_snapshot(Self* self) {
  auto& st = self->state;
  if (st.wiring.supervisor)
    caf::anon_send(st.wiring.supervisor,
                   ElectionSnapshot{st.ctx.group, st.core->snapshot(), self->address()});
}

/// Carries out the core's commands, in order.
void carry_out(Self* self, core::Output out) {
  auto& st = self->state;
  const auto& w = st.wiring;
  for (auto& command : out) {
    std::visit(
        [&](auto& c) {
          using T = std::decay_t<decltype(c)>;
          if constexpr (std::is_same_v<T, core::AdvertOut>) {
            send_to(self, w.advert_io, c);
          } else if constexpr (std::is_same_v<T, core::VipCommand>) {
            send_to(self, w.vip, c);
          } else if constexpr (std::is_same_v<T, core::RenewVip>) {
            send_to(self, w.vip, renew_atom::value);
          } else if constexpr (std::is_same_v<T, core::GarpBurst>) {
            send_to(self, w.vip, garp_atom::value);
          } else if constexpr (std::is_same_v<T, core::GarpQuiet>) {
            send_to(self, w.vip, quiet_atom::value, c.quiet);
          } else if constexpr (std::is_same_v<T, core::RoleCommand>) {
            send_to(self, w.redis_role, c);
          } else if constexpr (std::is_same_v<T, core::MasterOverdue>) {
            send_to(self, w.redis_health, check_atom::value, c.overdue);
          } else if constexpr (std::is_same_v<T, core::CompareHistory>) {
            send_to(self, w.redis_health, c);
          } else if constexpr (std::is_same_v<T, core::ProbeMembers>) {
            send_to(self, w.member_probe, check_atom::value);
          } else if constexpr (std::is_same_v<T, core::VipWatch>) {
            send_to(self, w.member_probe, c);
          } else if constexpr (std::is_same_v<T, core::ArmTimer>) {
            self->delayed_send(self, until(self, c.deadline), tick_atom::value, c.generation);
          } else if constexpr (std::is_same_v<T, core::ArmOverdue>) {
            self->delayed_send(self, until(self, c.at), overdue_atom::value);
          } else if constexpr (std::is_same_v<T, core::ArmStopWait>) {
            self->delayed_send(self, c.wait, stop_wait_atom::value);
          } else if constexpr (std::is_same_v<T, core::RecheckLater>) {
            self->send(self, rules_atom::value);
          } else if constexpr (std::is_same_v<T, core::SaveSnapshot>) {
            save_snapshot(self);
          } else if constexpr (std::is_same_v<T, core::CatchUp> ||
                               std::is_same_v<T, core::ReleasePause>) {
            send_to(self, w.switchover, c);
          } else if constexpr (std::is_same_v<T, core::ArmSwitchoverDeadline>) {
            self->delayed_send(self, c.after, deadline_atom::value, c.id);
          } else if constexpr (std::is_same_v<T, core::SwitchoverResult>) {
            if (auto it = st.switchovers.find(c.id); it != st.switchovers.end()) {
              it->second.deliver(nlohmann::json{{"ok", c.ok},
                                                {"instance", st.ctx.instance.name},
                                                {"detail", c.detail}}
                                     .dump());
              st.switchovers.erase(it);
            }
          } else if constexpr (std::is_same_v<T, core::Notify>) {
            send_to(self, w.notify, c);
          } else if constexpr (std::is_same_v<T, core::StopDone>) {
            st.stop_done = true;
            // notify_stop (queued just before) runs before the daemon goes on stopping.
            auto deliver = [self](auto&&...) {
              for (auto& p : self->state.stop_promises) p.deliver(true);
              self->state.stop_promises.clear();
            };
            if (w.notify) {
              self->request(w.notify, kNotifyDrainLimit + std::chrono::seconds(1),
                            stop_atom::value)
                  .then([deliver](bool) mutable { deliver(); },
                        [deliver](caf::error&) mutable { deliver(); });
            } else {
              deliver();
            }
          } else {
            static_assert(std::is_same_v<T, core::LogEvent>, "a command the shell ignores");
            st.ctx.log().write(c);
          }
        },
        command);
  }
}

/// Tells the service manager (systemd) each VRRP state entered: READY waits for the first.
void tell_state(Self* self) {
  auto& st = self->state;
  const auto state = st.core->machine().state();
  if (state == st.told_state) return;
  st.told_state = state;
  ServiceManager::get().instance_state(st.ctx.instance.name, net::vrrp::to_string(state));
}

/// Hands one event to the core and carries out what it says.
void feed(Self* self, const core::Event& event) {
  carry_out(self, self->state.core->handle(event, now(self)));
  tell_state(self);
}

election_actor::behavior_type election(Self* self, InstanceContext ctx,
                                       std::optional<ElectionSnapshot> snap) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  st.core = std::make_unique<core::Instance>(st.ctx.instance, st.ctx.primary_address);
  // A failing election answers the switchovers it holds (their CLI would wait for nothing).
  self->set_exception_handler(
      [self, crashed = crash_handler("election" + st.ctx.tag())](
          caf::scheduled_actor* a, std::exception_ptr& eptr) -> caf::error {
        for (auto& [id, promise] : self->state.switchovers)
          promise.deliver(nlohmann::json{{"ok", false},
                                         {"instance", self->state.ctx.instance.name},
                                         {"detail", "the election failed during the switchover "
                                                    "(restarted; see the log for the role)"}}
                              .dump());
        self->state.switchovers.clear();
        return crashed(a, eptr);
      });
  if (snap) {
    carry_out(self, st.core->resume(snap->state, now(self)));
    tell_state(self);
  }
  self->delayed_send(self, kSnapshotInterval, snapshot_atom::value);
  // The watchdog's pings come from this loop: an election that hangs stops them.
  if (const auto tick = ServiceManager::get().watchdog_tick())
    self->delayed_send(self, *tick, watchdog_atom::value);
  return {
      [self](const Wiring& w) {
        auto& st = self->state;
        core::Wired wired;
        wired.first = !st.wiring.supervisor;
        wired.redis_health = w.redis_health != st.wiring.redis_health;
        wired.vip = w.vip != st.wiring.vip;
        wired.member_probe = w.member_probe != st.wiring.member_probe;
        wired.redis_health_up = static_cast<bool>(w.redis_health);
        wired.vip_up = static_cast<bool>(w.vip);
        st.wiring = w;
        feed(self, wired);
      },
      [self](tick_atom, std::uint64_t generation) { feed(self, core::TimerFired{generation}); },
      [self](overdue_atom) { feed(self, core::OverdueDue{}); },
      [self](rules_atom) { feed(self, core::Recheck{}); },
      [self](stop_wait_atom) { feed(self, core::StopWaitOver{}); },
      [self](const HistoryVerdict& v) { feed(self, v); },
      [self](const VipReached& r) { feed(self, r); },
      [self](const ProbeRound& r) { feed(self, r); },
      [self](const AdvertIn& in) { feed(self, in); },
      [self](const AdvertRejected& r) { feed(self, r); },
      [self](const AdvertSent& r) { feed(self, r); },
      [self](const VipDone& d) { feed(self, d); },
      [self](const LinkStatus& l) { feed(self, l); },
      [self](const GarpSent& g) { feed(self, g); },
      [self](const RedisHealth& h) { feed(self, h); },
      [self](const RoleDone& d) { feed(self, d); },
      [self](const core::CaughtUp& c) { feed(self, c); },
      [self](const core::ScriptRun& r) { feed(self, r); },
      [self](const core::ReplicationDiagnosis& d) { feed(self, d); },
      [self](deadline_atom, std::uint64_t id) { feed(self, core::SwitchoverDeadline{id}); },
      [self](switchover_atom, std::uint64_t timeout_ms) -> caf::result<std::string> {
        auto& st = self->state;
        const auto id = ++st.switchover_ids;
        st.switchovers[id] = self->make_response_promise<std::string>();
        auto promise = st.switchovers[id];
        feed(self, core::SwitchoverStart{id, std::chrono::milliseconds(timeout_ms)});
        return promise;
      },
      [self](const core::ColdStartOverride& o) {
        const bool held = self->state.core->eligibility().cold_start_holds();
        feed(self, o);
        return held;
      },
      [self](reload_atom) {
        return ElectionSnapshot{self->state.ctx.group, self->state.core->snapshot(),
                                self->address()};
      },
      [self](snapshot_atom) {
        save_snapshot(self);
        self->delayed_send(self, kSnapshotInterval, snapshot_atom::value);
      },
      [self](status_atom, const std::map<std::string, std::uint64_t>& restarts) {
        return self->state.core->status_json(restarts, now(self));
      },
      [self](stop_atom) -> caf::result<bool> {
        auto& st = self->state;
        if (st.stop_done) return true;
        st.stop_promises.push_back(self->make_response_promise<bool>());
        auto promise = st.stop_promises.back();
        if (st.stop_promises.size() == 1) feed(self, core::Stop{});
        return promise;
      },
      [self](watchdog_atom) {
        ServiceManager::get().election_alive(self->state.ctx.instance.name);
        self->delayed_send(self, *ServiceManager::get().watchdog_tick(), watchdog_atom::value);
      },
      [self](crash_atom) -> caf::result<void> {
        throw std::runtime_error("crash requested by test hook");
      },
      [](hang_atom, std::uint64_t ms) {
        std::this_thread::sleep_for(std::chrono::milliseconds(ms));
      },
  };
}

}  // namespace

caf::actor spawn_election(caf::local_actor* parent, const InstanceContext& ctx,
                          const ElectionSnapshot* snapshot) {
  std::optional<ElectionSnapshot> snap;
  if (snapshot != nullptr) snap = *snapshot;
  return caf::actor_cast<caf::actor>(parent->spawn(election, ctx, snap));
}

}  // namespace redkeep::actors
