#include "actors/reloader.hpp"

#include <algorithm>
#include <memory>
#include <set>
#include <nlohmann/json.hpp>

#include "actors/control_server.hpp"
#include "actors/instances.hpp"
#include "actors/log.hpp"
#include "actors/service_manager.hpp"
#include "config/parser.hpp"
#include "config/reload_plan.hpp"

namespace redkeep::actors {

namespace {

using json = nlohmann::json;

std::string refused(const json& errors) { return json{{"ok", false}, {"errors", errors}}.dump(); }

/// The VIPs of `before` that `after` no longer lists. One moved to another instance is removed
/// too: that instance holds it if it is Master here (its next advert renews it). Shared by the
/// copies of the vip actor's context: the first vip actor to start removes them and empties
/// the list.
std::shared_ptr<std::vector<net::IpPrefix>> retired(const config::VrrpInstance& before,
                                                    const config::VrrpInstance& after) {
  auto out = std::make_shared<std::vector<net::IpPrefix>>();
  for (const auto& v : before.virtual_ipaddress)
    if (std::find(after.virtual_ipaddress.begin(), after.virtual_ipaddress.end(), v) ==
        after.virtual_ipaddress.end())
      out->push_back(v);
  return out;
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

}  // namespace

Reloader::Reloader(caf::actor_system& sys, caf::actor supervisor, std::string config_path,
                   config::Config running, std::vector<InstanceContext> contexts)
    : sys_(sys),
      supervisor_(std::move(supervisor)),
      path_(std::move(config_path)),
      running_(std::move(running)),
      contexts_(std::move(contexts)),
      next_group_(contexts_.size()) {}

std::vector<InstanceContext> Reloader::contexts() const {
  std::lock_guard<std::mutex> lock(state_mutex_);
  return contexts_;
}

std::string Reloader::control_socket() const {
  std::lock_guard<std::mutex> lock(state_mutex_);
  return running_.global.control_socket;
}

std::optional<config::ListenAddress> Reloader::metrics_listen() const {
  std::lock_guard<std::mutex> lock(state_mutex_);
  return running_.global.metrics_listen;
}

std::string Reloader::switchover_running() {
  caf::scoped_actor self{sys_};
  std::string running;
  self->request(supervisor_, std::chrono::seconds(3), status_atom::value)
      .receive(
          [&](const std::string& text) {
            const auto doc = json::parse(text, nullptr, false);
            if (doc.is_discarded() || !doc.contains("instances")) return;
            for (const auto& in : doc["instances"])
              if (in.contains("switchover") && in["switchover"].value("running", false))
                running = in.value("name", "");
          },
          [&](caf::error&) {});
  return running;
}

std::string Reloader::reload() {
  std::lock_guard<std::mutex> one_at_a_time(reload_mutex_);
  auto& service = ServiceManager::get();
  service.reloading();
  auto answer = apply_file();
  std::set<std::string> names;
  for (const auto& c : contexts()) names.insert(c.instance.name);
  service.set_instances(names);
  ++reloads_;  // after the configuration is in place: whoever sees it reads the new one
  service.reloaded();
  return answer;
}

std::string Reloader::apply_file() {
  daemon_log().info(core::LogKind::reload, "Reloading {}", path_);
  auto loaded = config::load_file(path_);
  json errors = json::array();
  for (const auto& d : loaded.diagnostics) {
    if (!d.is_error()) {
      daemon_log().warn(core::LogKind::reload, "Reload: {}", d.to_string());
      continue;
    }
    daemon_log().error(core::LogKind::reload, "Reload refused, the running configuration is kept: {}", d.to_string());
    errors.push_back(d.to_string());
  }
  if (!loaded.ok()) return refused(errors);
  const auto& next = *loaded.config;
  const auto plan = config::plan_reload(running_, next);  // only reloads change running_
  if (!plan.changes()) {
    daemon_log().info(core::LogKind::reload, "Reload: nothing changed");
    return json{{"ok", true}, {"changes", json::array()}}.dump();
  }

  if (const auto busy = switchover_running(); !busy.empty()) {
    daemon_log().error(
        core::LogKind::reload,
        "Reload refused, the running configuration is kept: a switchover of {} runs; "
        "reload once it is over",
        busy);
    return refused(json::array({"a switchover of " + busy + " runs; reload once it is over"}));
  }
  if (plan.control_socket_changed) {
    if (auto busy = control_socket_in_use(next.global.control_socket)) {
      daemon_log().error(core::LogKind::reload, "Reload refused, the running configuration is kept: {}", *busy);
      return refused(json::array({*busy}));
    }
  }
  auto nl = net::Netlink::open();
  if (!nl) return refused(json::array({"cannot open netlink: " + nl.error().message}));
  auto find_context = [&](const std::string& name) -> const InstanceContext* {
    for (const auto& c : contexts_)
      if (c.instance.name == name) return &c;
    return nullptr;
  };
  Reload message;
  std::vector<InstanceContext> contexts;
  json changes = json::array();
  std::size_t next_group = next_group_;
  for (const auto& change : plan.instances) {
    const auto* old = find_context(change.name);
    const auto* in = [&]() -> const config::VrrpInstance* {
      for (const auto& i : next.instances)
        if (i.name == change.name) return &i;
      return nullptr;
    }();
    if (change.action == config::ReloadAction::remove) {
      message.steps.push_back({change.name, old->group, change.action, {}});
    } else if (change.action == config::ReloadAction::unchanged) {
      contexts.push_back(*old);
      continue;
    } else {
      std::string error;
      const auto group = old != nullptr ? old->group : next_group++;
      auto ctx = resolve_instance(*nl, *in, group, next.global.state_file, error);
      if (!ctx) {
        daemon_log().error(core::LogKind::reload, "Reload refused, the running configuration is kept: vrrp_instance {}: {}",
                      change.name, error);
        return refused(json::array({"vrrp_instance " + change.name + ": " + error}));
      }
      if (old != nullptr) ctx->retired_vips = retired(old->instance, *in);
      message.steps.push_back({change.name, group, change.action, instance_specs(*ctx)});
      contexts.push_back(std::move(*ctx));
    }
    changes.push_back({{"instance", change.name},
                       {"action", to_string(change.action)},
                       {"keywords", change.keywords}});
  }

  for (const auto& step : message.steps) {
    Log log(step.name);
    const auto& c = *std::find_if(plan.instances.begin(), plan.instances.end(),
                                  [&](const auto& x) { return x.name == step.name; });
    switch (step.action) {
      case config::ReloadAction::apply:
        log.info(core::LogKind::reload, "Reload: {} changed; applied without a transition (the election resumes)",
                 joined(c.keywords));
        break;
      case config::ReloadAction::restart:
        log.warn(
            core::LogKind::reload,
            "Reload: {} changed; restarting this instance (stopped as on SIGTERM, then "
            "started anew)",
            joined(c.keywords));
        break;
      case config::ReloadAction::add:
        log.info(core::LogKind::reload, "Reload: new vrrp_instance; starting it");
        break;
      case config::ReloadAction::remove:
        log.warn(core::LogKind::reload, "Reload: vrrp_instance no longer configured; stopping it (as on SIGTERM)");
        break;
      case config::ReloadAction::unchanged:
        break;
    }
  }
  caf::scoped_actor self{sys_};
  bool done = false;
  std::string failure;
  // Stops of restarted or removed instances take Master_Down_Interval + 1 s (8 s) at most.
  self->request(supervisor_, std::chrono::seconds(45), reload_atom::value, std::move(message))
      .receive(
          [&](const std::string& refusal) {
            done = refusal.empty();
            failure = refusal;
          },
          [&](caf::error& err) { failure = caf::to_string(err); });
  if (!done) {
    daemon_log().error(core::LogKind::reload, "Reload not completed: the supervisor did not answer ({})", failure);
    return refused(json::array({"the daemon did not complete the reload: " + failure}));
  }
  {
    std::lock_guard<std::mutex> lock(state_mutex_);
    running_ = next;
    contexts_ = std::move(contexts);
  }
  next_group_ = next_group;
  json answer{{"ok", true}, {"changes", changes}};
  if (plan.metrics_listen_changed) {
    const auto where = next.global.metrics_listen ? next.global.metrics_listen->to_string()
                                                  : std::string("off");
    daemon_log().info(core::LogKind::reload, "Reload: metrics_listen is now {}", where);
    answer["metrics_listen"] = where;
  }
  if (plan.control_socket_changed) {
    daemon_log().warn(core::LogKind::reload, "Reload: control_socket moves to {}", next.global.control_socket);
    answer["control_socket"] = next.global.control_socket;
  }
  daemon_log().info(core::LogKind::reload, "Reload done");
  return answer.dump();
}

}  // namespace redkeep::actors
