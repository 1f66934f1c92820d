#include "actors/supervisor.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <optional>

#include "actors/crash_reason.hpp"
#include "actors/log.hpp"
#include "actors/status_json.hpp"

namespace redkeep::actors {

namespace {

using Clock = std::chrono::steady_clock;

struct Child {
  ChildSpec spec;
  caf::actor handle;
  core::RestartBudget budget;
};

struct SupervisorState {
  std::vector<Child> children;
  RestartPolicy policy;
  std::map<std::size_t, ElectionSnapshot> snapshots;  // by group
  bool stopping = false;
  caf::response_promise reload;  // the reload in flight, answered before the supervisor quits
  static inline const char* name = "supervisor";
};

using Self = caf::stateful_actor<SupervisorState>;

Wiring wiring_of(Self* self, std::size_t group) {
  Wiring w;
  w.supervisor = caf::actor_cast<caf::actor>(self);
  for (auto& c : self->state.children) {
    if (c.spec.group != group) continue;
    switch (c.spec.kind) {
      case ChildKind::election:
        w.election = caf::actor_cast<election_actor>(c.handle);
        break;
      case ChildKind::advert_io:
        w.advert_io = caf::actor_cast<advert_io_actor>(c.handle);
        break;
      case ChildKind::vip:
        w.vip = caf::actor_cast<vip_actor>(c.handle);
        break;
      case ChildKind::redis_health:
        w.redis_health = caf::actor_cast<redis_health_actor>(c.handle);
        break;
      case ChildKind::redis_role:
        w.redis_role = caf::actor_cast<redis_role_actor>(c.handle);
        break;
      case ChildKind::member_probe:
        w.member_probe = caf::actor_cast<member_probe_actor>(c.handle);
        break;
      case ChildKind::switchover:
        w.switchover = caf::actor_cast<switchover_actor>(c.handle);
        break;
      case ChildKind::track_scripts:
        w.track_scripts = caf::actor_cast<track_scripts_actor>(c.handle);
        break;
      case ChildKind::notify:
        w.notify = caf::actor_cast<notify_actor>(c.handle);
        break;
      case ChildKind::redis_diagnosis:  // nobody sends it anything
        break;
    }
  }
  return w;
}

void broadcast_wiring(Self* self, std::size_t group) {
  auto w = wiring_of(self, group);
  for (auto& c : self->state.children)
    if (c.spec.group == group && c.handle) self->send(c.handle, w);
}

void start_child(Self* self, Child& c, bool restart) {
  const ElectionSnapshot* snap = nullptr;
  if (auto it = self->state.snapshots.find(c.spec.group); it != self->state.snapshots.end())
    snap = &it->second;
  c.handle = c.spec.start(self, restart, snap);
  self->monitor(c.handle);
  broadcast_wiring(self, c.spec.group);
}

Child* find_child(Self* self, const caf::actor_addr& source) {
  for (auto& c : self->state.children)
    if (c.handle && c.handle.address() == source) return &c;
  return nullptr;
}

Child* find_child(Self* self, const std::string& name) {
  for (auto& c : self->state.children)
    if (c.spec.name == name) return &c;
  return nullptr;
}

/// Answers a reload in flight (the supervisor is about to quit).
void refuse_reload(Self* self) {
  if (self->state.reload.pending()) self->state.reload.deliver(std::string("redkeep is stopping"));
}

void stop_children(Self* self) {
  for (auto& c : self->state.children) {
    if (!c.handle) continue;
    self->demonitor(c.handle);
    self->send_exit(c.handle, caf::exit_reason::user_shutdown);
    c.handle = nullptr;
  }
}

/// Stops the children of `group` (planned: no DOWN handling, no restart budget).
void stop_group(Self* self, std::size_t group) {
  for (auto& c : self->state.children) {
    if (c.spec.group != group || !c.handle) continue;
    self->demonitor(c.handle);
    self->send_exit(c.handle, caf::exit_reason::user_shutdown);
    c.handle = nullptr;
  }
}

/// Replaces the children of `group` by `specs` and starts them: `resume` as a restart (the
/// election from the group's snapshot, the vip actor keeping the VIPs in the kernel), else
/// afresh.
void replace_group(Self* self, std::size_t group, std::vector<ChildSpec> specs, bool resume) {
  stop_group(self, group);
  auto& children = self->state.children;
  children.erase(std::remove_if(children.begin(), children.end(),
                                [&](const Child& c) { return c.spec.group == group; }),
                 children.end());
  if (!resume) self->state.snapshots.erase(group);
  const auto first = children.size();
  for (auto& s : specs) children.push_back(Child{std::move(s), {}, {}});
  for (auto i = first; i < children.size(); ++i) start_child(self, children[i], resume);
}

caf::actor election_of(Self* self, std::size_t group) {
  for (auto& c : self->state.children)
    if (c.spec.group == group && c.spec.kind == ChildKind::election) return c.handle;
  return nullptr;
}

/// Runs `f` once every one of `n` callers called the returned function.
std::function<void()> after(std::size_t n, std::function<void()> f) {
  auto pending = std::make_shared<std::size_t>(n + 1);
  auto done = [pending, f] {
    if (--*pending == 0) f();
  };
  return done;
}

/// A reload in two phases: first every instance that stops (removed, or restarted) runs its
/// stop protocol and its children go, so that an instance started next (a rename, a VIP moved
/// to another instance) never runs beside the one it replaces; then the restarted and added
/// instances start afresh and the changed ones restart with the new settings, the election
/// resuming from a snapshot taken now. `done` runs at the end.
void reload(Self* self, std::vector<InstanceReload> steps, std::function<void()> done) {
  using config::ReloadAction;
  auto shared = std::make_shared<std::vector<InstanceReload>>(std::move(steps));
  auto second = [self, shared, done] {
    if (self->state.stopping) return done();  // a stop came meanwhile: nothing starts
    auto finished = after(shared->size(), done);
    for (auto& step : *shared) {
      const auto group = step.group;
      switch (step.action) {
        case ReloadAction::restart:
        case ReloadAction::add:
          replace_group(self, group, std::move(step.specs), false);
          break;
        case ReloadAction::apply: {
          auto specs = std::make_shared<std::vector<ChildSpec>>(std::move(step.specs));
          auto apply = [self, group, specs, finished](std::optional<ElectionSnapshot> snap) {
            if (!self->state.stopping) {
              if (snap) self->state.snapshots[group] = std::move(*snap);
              replace_group(self, group, std::move(*specs), true);
            }
            finished();
          };
          if (auto election = election_of(self, group)) {
            self->request(election, std::chrono::seconds(2), reload_atom::value)
                .then([=](ElectionSnapshot& s) mutable { apply(std::move(s)); },
                      [=](caf::error&) mutable { apply(std::nullopt); });
            continue;  // apply() calls finished()
          }
          apply(std::nullopt);
          continue;
        }
        case ReloadAction::remove:
        case ReloadAction::unchanged:
          break;
      }
      finished();
    }
    finished();
  };
  std::size_t stopping = 0;
  for (const auto& step : *shared)
    if (step.action == ReloadAction::remove || step.action == ReloadAction::restart) ++stopping;
  auto stopped = after(stopping, second);
  for (const auto& step : *shared) {
    if (step.action != ReloadAction::remove && step.action != ReloadAction::restart) continue;
    const auto group = step.group;
    auto gone = [self, group, stopped] {
      replace_group(self, group, {}, false);
      stopped();
    };
    if (auto election = election_of(self, group)) {
      self->request(election, std::chrono::seconds(30), stop_atom::value)
          .then([=](bool) { gone(); }, [=](caf::error&) { gone(); });
    } else {
      gone();
    }
  }
  stopped();
}

void on_child_down(Self* self, caf::down_msg& msg) {
  auto* c = find_child(self, msg.source);
  if (c == nullptr) return;  // an old incarnation, or not ours
  c->handle = nullptr;
  if (self->state.stopping) return;
  const auto& p = self->state.policy;
  const auto verdict = c->budget.failed(Clock::now(), p);
  const int n = verdict.in_window;
  if (verdict.give_up) {
    daemon_log().critical(core::LogKind::actor_gave_up,
                          "{} failed {} times within {} s ({}); giving up",
                          field("actor", c->spec.name), field("count", n),
                          p.window.count() / 1000, describe(msg.reason));
    self->state.stopping = true;
    refuse_reload(self);
    stop_children(self);
    self->quit(caf::make_error(caf::sec::runtime_error, c->spec.name + " keeps failing"));
    return;
  }
  const auto delay = verdict.delay;
  daemon_log().error(core::LogKind::actor_restart, "{} terminated ({}); restart {} of {} in {} ms",
                     field("actor", c->spec.name), field("reason", describe(msg.reason)),
                     field("restart", n), p.max_restarts, field("delay_ms", delay.count()));
  if (delay.count() == 0) {
    start_child(self, *c, true);
  } else {
    self->delayed_send(self, delay, restart_atom::value, c->spec.name);
  }
}

caf::behavior supervisor(Self* self, std::vector<ChildSpec> specs, RestartPolicy policy) {
  self->state.policy = policy;
  self->set_exception_handler(crash_handler("supervisor"));
  self->set_down_handler([self](caf::down_msg& msg) { on_child_down(self, msg); });
  // Exit messages from anyone but our children (main's shutdown request
  // included) end the supervisor after stopping the children.
  self->set_exit_handler([self](caf::exit_msg& msg) {
    self->state.stopping = true;
    refuse_reload(self);
    stop_children(self);
    self->quit(msg.reason);
  });
  for (auto& s : specs) self->state.children.push_back(Child{std::move(s), {}, {}});
  for (auto& c : self->state.children) start_child(self, c, false);
  return {
      [self](restart_atom, const std::string& name) {
        auto* c = find_child(self, name);
        if (c != nullptr && !c->handle && !self->state.stopping) start_child(self, *c, true);
      },
      [self](crash_atom, const std::string& name) -> bool {
        // Test hook (REDKEEP_TEST_HOOKS=1 only, checked by the control server).
        auto* c = find_child(self, name);
        if (c == nullptr || !c->handle) return false;
        daemon_log().warn(core::LogKind::test_hook, "Test hook: crashing {}", field("actor", name));
        self->send(c->handle, crash_atom::value);
        return true;
      },
      [self](hang_atom, const std::string& name, std::uint64_t ms) -> bool {
        // Test hook (REDKEEP_TEST_HOOKS=1 only): only an election takes it.
        auto* c = find_child(self, name);
        if (c == nullptr || !c->handle || c->spec.kind != ChildKind::election) return false;
        daemon_log().warn(core::LogKind::test_hook, "Test hook: {} hangs for {} ms",
                          field("actor", name), ms);
        self->send(c->handle, hang_atom::value, ms);
        return true;
      },
      [self](cold_start_atom, const std::string& instance) -> caf::result<std::string> {
        // `redkeep cold-start --force`: every instance, or the one named. The answer lists
        // those a cold start held ("overridden") and the others ("not_waiting").
        auto rp = self->make_response_promise<std::string>();
        auto pending = std::make_shared<std::size_t>(0);
        auto answer = std::make_shared<nlohmann::json>(
            nlohmann::json{{"overridden", nlohmann::json::array()},
                           {"not_waiting", nlohmann::json::array()}});
        for (auto& c : self->state.children) {
          if (c.spec.kind != ChildKind::election || !c.handle) continue;
          if (!instance.empty() && c.spec.name != "election[" + instance + "]") continue;
          ++*pending;
          const auto name = c.spec.name.substr(9, c.spec.name.size() - 10);
          self->request(c.handle, std::chrono::seconds(2), core::ColdStartOverride{})
              .then(
                  [=](bool held) mutable {
                    (*answer)[held ? "overridden" : "not_waiting"].push_back(name);
                    if (--*pending == 0) rp.deliver(answer->dump());
                  },
                  [=](caf::error&) mutable {
                    if (--*pending == 0) rp.deliver(answer->dump());
                  });
        }
        if (*pending == 0) rp.deliver(answer->dump());
        return rp;
      },
      [self](switchover_atom, const std::string& instance,
             std::uint64_t timeout_ms) -> caf::result<std::string> {
        // `redkeep switchover`: the named instance, or the only one with a redis block.
        std::vector<Child*> targets;
        for (auto& c : self->state.children)
          if (c.spec.kind == ChildKind::election &&
              (instance.empty() ? c.spec.with_redis : c.spec.name == "election[" + instance + "]"))
            targets.push_back(&c);
        auto refuse = [](const std::string& why) {
          return nlohmann::json{{"ok", false}, {"detail", why}}.dump();
        };
        if (targets.empty())
          return refuse(instance.empty() ? "no vrrp_instance has a redis block"
                                         : "no vrrp_instance named " + instance);
        if (targets.size() > 1)
          return refuse("several vrrp_instance blocks have Redis: name one with --instance");
        if (!targets[0]->handle) return refuse("its election is restarting; try again");
        auto rp = self->make_response_promise<std::string>();
        // The election answers when the switchover is done or aborted, within the pause.
        self->request(targets[0]->handle, std::chrono::milliseconds(timeout_ms) + kSwitchoverSlack,
                      switchover_atom::value, timeout_ms)
            .then([=](const std::string& json) mutable { rp.deliver(json); },
                  [=](caf::error& err) mutable {
                    rp.deliver(refuse("the election did not answer: " + describe(err)));
                  });
        return rp;
      },
      [self](reload_atom, Reload& r) -> caf::result<std::string> {
        if (self->state.stopping) return std::string("redkeep is stopping");
        if (self->state.reload.pending()) return std::string("a reload runs");
        auto rp = self->make_response_promise();
        self->state.reload = rp;
        reload(self, std::move(r.steps), [self]() {
          if (self->state.reload.pending())
            self->state.reload.deliver(std::string(self->state.stopping ? "redkeep is stopping"
                                                                        : ""));
        });
        return rp;
      },
      [self](ElectionSnapshot& snap) {
        // Only the group's current election: a replaced one's last snapshot may come late.
        if (snap.source == election_of(self, snap.group).address())
          self->state.snapshots[snap.group] = std::move(snap);
      },
      [self](status_atom) -> caf::result<std::string> {
        // Each election builds its instance's status; we add restart counts.
        auto rp = self->make_response_promise<std::string>();
        auto elections = std::make_shared<std::vector<caf::actor>>();
        for (auto& c : self->state.children)
          if (c.spec.kind == ChildKind::election && c.handle) elections->push_back(c.handle);
        auto collected = std::make_shared<std::vector<std::string>>();
        if (elections->empty()) {
          rp.deliver(std::string("[]"));
          return rp;
        }
        std::map<std::string, std::uint64_t> restarts;
        for (auto& c : self->state.children) restarts[c.spec.name] = c.budget.total();
        for (auto& e : *elections) {
          self->request(e, std::chrono::seconds(2), status_atom::value, restarts)
              .then(
                  [=](const std::string& json) mutable {
                    collected->push_back(json);
                    if (collected->size() == elections->size()) rp.deliver(join_json(*collected));
                  },
                  [=](caf::error& err) mutable {
                    collected->push_back(error_json(describe(err)));
                    if (collected->size() == elections->size()) rp.deliver(join_json(*collected));
                  });
        }
        return rp;
      },
      [self](stop_atom) -> caf::result<bool> {
        // Graceful stop: each election releases its VIP, sends priority 0 and
        // demotes Redis; then every child stops.
        auto rp = self->make_response_promise<bool>();
        self->state.stopping = true;
        auto pending = std::make_shared<int>(0);
        auto finish = [self, rp]() mutable {
          refuse_reload(self);
          stop_children(self);
          rp.deliver(true);
          self->quit();
        };
        for (auto& c : self->state.children)
          if (c.spec.kind == ChildKind::election && c.handle) ++*pending;
        if (*pending == 0) {
          finish();
          return rp;
        }
        for (auto& c : self->state.children) {
          if (c.spec.kind != ChildKind::election || !c.handle) continue;
          self->request(c.handle, std::chrono::seconds(30), stop_atom::value)
              .then(
                  [=](bool) mutable {
                    if (--*pending == 0) finish();
                  },
                  [=](caf::error&) mutable {
                    if (--*pending == 0) finish();
                  });
        }
        return rp;
      },
  };
}

}  // namespace

caf::actor spawn_supervisor(caf::actor_system& sys, std::vector<ChildSpec> specs,
                            RestartPolicy policy) {
  return sys.spawn(supervisor, std::move(specs), policy);
}

}  // namespace redkeep::actors
