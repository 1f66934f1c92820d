#include "inspect/timeline.hpp"

#include <algorithm>
#include <string_view>
#include <tuple>
#include <unordered_map>

#include "inspect/text.hpp"

namespace redkeep::inspect {

namespace {

std::string field(const LogLine& line, const std::string& name) {
  const auto it = line.fields.find(name);
  return it == line.fields.end() ? std::string() : it->second;
}

/// "…; it took 123 bytes of replication stream after …": 123; 0 for "no writes"; nullopt
/// when the demotion did not say.
std::optional<std::int64_t> discarded(const std::string& detail) {
  if (contains(detail, "it took no writes")) return 0;
  const auto p = detail.find("it took ");
  if (p == std::string::npos) return std::nullopt;
  std::int64_t n = 0;
  std::size_t i = p + 8;
  if (i >= detail.size() || detail[i] < '0' || detail[i] > '9') return std::nullopt;
  for (; i < detail.size() && detail[i] >= '0' && detail[i] <= '9'; ++i)
    n = n * 10 + (detail[i] - '0');
  return n;
}

/// The events the story is made of (any other is `other`).
enum class Ev {
  other,
  actor_crash,
  actor_gave_up,
  actor_restart,
  advert_rejected,
  behind_peer,
  cold_start,
  eligible,
  exited,
  floor_tie,
  health,
  link,
  master_change,
  not_eligible,
  redis_check,
  redis_restarted,
  priority_change,
  redis_role,
  refused_resync,
  restart_guard,
  role_refused,
  script_state,
  signal,
  started,
  state_change,
  step_out,
  step_out_ended,
  stopped,
  stopping,
  switchover,
  takeover_held,
  takeover_released,
  vip_added,
  vip_removed,
};

Ev event_of(const std::string& name) {
  static const std::unordered_map<std::string_view, Ev> kinds = {
      {"actor_crash", Ev::actor_crash},
      {"actor_gave_up", Ev::actor_gave_up},
      {"actor_restart", Ev::actor_restart},
      {"advert_rejected", Ev::advert_rejected},
      {"behind_peer", Ev::behind_peer},
      {"cold_start", Ev::cold_start},
      {"eligible", Ev::eligible},
      {"exited", Ev::exited},
      {"floor_tie", Ev::floor_tie},
      {"health", Ev::health},
      {"link", Ev::link},
      {"master_change", Ev::master_change},
      {"not_eligible", Ev::not_eligible},
      {"priority_change", Ev::priority_change},
      {"redis_check", Ev::redis_check},
      {"redis_restarted", Ev::redis_restarted},
      {"redis_role", Ev::redis_role},
      {"refused_resync", Ev::refused_resync},
      {"restart_guard", Ev::restart_guard},
      {"role_refused", Ev::role_refused},
      {"script_state", Ev::script_state},
      {"signal", Ev::signal},
      {"started", Ev::started},
      {"state_change", Ev::state_change},
      {"step_out", Ev::step_out},
      {"step_out_ended", Ev::step_out_ended},
      {"stopped", Ev::stopped},
      {"stopping", Ev::stopping},
      {"switchover", Ev::switchover},
      {"takeover_held", Ev::takeover_held},
      {"takeover_released", Ev::takeover_released},
      {"vip_added", Ev::vip_added},
      {"vip_removed", Ev::vip_removed},
  };
  const auto it = kinds.find(name);
  return it == kinds.end() ? Ev::other : it->second;
}

/// The events that record a decision taken for the data's sake.
bool is_decision(Ev e) {
  switch (e) {
    case Ev::not_eligible:
    case Ev::eligible:
    case Ev::step_out:
    case Ev::step_out_ended:
    case Ev::refused_resync:
    case Ev::redis_restarted:
    case Ev::restart_guard:
    case Ev::cold_start:
    case Ev::behind_peer:
    case Ev::takeover_held:
    case Ev::takeover_released:
    case Ev::floor_tie:
    case Ev::role_refused:
    case Ev::actor_gave_up:
    case Ev::switchover:
      return true;
    default:
      return false;
  }
}

std::uint64_t to_count(const std::string& text, std::uint64_t fallback) {
  if (text.empty()) return fallback;
  std::uint64_t n = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return fallback;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return n;
}

}  // namespace

void Analyzer::count_skipped(LineKind kind) {
  ++summary_.lines;
  if (kind == LineKind::redis)
    ++summary_.redis_lines;
  else
    ++summary_.not_understood;
}

void Analyzer::add(const LogLine& line) {
  if (line.kind != LineKind::event || !line.ts) {
    count_skipped(line.kind);
    return;
  }
  ++summary_.lines;
  ++summary_.events;
  const Millis ts = *line.ts;
  summary_.first = std::min(summary_.first.value_or(ts), ts);
  summary_.last = std::max(summary_.last.value_or(ts), ts);
  if (known_nodes_.insert(line.node).second) summary_.nodes.push_back(line.node);
  if (line.stamped && clock_noted_.insert(line.node).second)
    sink_.clock_note({ts, line.node + "'s clock stepped back: a line stamped " +
                              std::to_string(ts - *line.stamped) +
                              " ms before the line it follows; its lines are kept in their "
                              "order, at the time of the line before"});

  // Close failover blocks that waited long enough, in every instance.
  if (open_failovers_ > 0)
    for (auto& [name, st] : instances_)
      if (st.failover && ts > st.failover->new_master_at + kFailoverWait) close_failover(st);

  const Ev ev = event_of(line.event);
  if (ev == Ev::advert_rejected) {
    noise(line, ts, field(line, "reason"), 1 + to_count(field(line, "suppressed"), 0));
  } else if (ev == Ev::actor_restart || ev == Ev::actor_crash) {
    auto actor = field(line, "actor");
    noise(line, ts, actor, 1);
  } else if (ev == Ev::health) {
    noise(line, ts, "", 1);
  }
  if (!line.instance.empty()) {
    on_instance_line(line.instance, instances_[line.instance], line, ts);
    return;
  }
  // A daemon-wide line (a signal, the exit) concerns every instance the node runs.
  for (auto& [name, st] : instances_)
    if (st.nodes.count(line.node) > 0) on_instance_line(name, st, line, ts);
}

void Analyzer::on_instance_line(const std::string& instance, InstanceState& st, const LogLine& line,
                                Millis ts) {
  const Ev ev = event_of(line.event);
  auto& node = st.nodes[line.node];
  const bool on_master = st.masters.count(line.node) > 0;

  if (ev == Ev::state_change) {
    on_state_change(instance, st, line, ts);
  } else if (ev == Ev::started) {
    // A node that starts again while this log had it as Master was killed (no stop protocol).
    if (on_master) leave_master(st, instance, line.node, ts, true);
    if (st.failover && st.failover->old_master == line.node && st.failover->old_fate.empty()) {
      st.failover->old_fate = "restarted";
      st.failover->steps.push_back({ts, line.node, "redkeep started again"});
    }
    node.state = "INIT";
    sink_.state_change({ts, line.node, instance, "", "INIT", "redkeep started", ""});
  } else if (ev == Ev::exited || ev == Ev::stopped) {
    if (ev == Ev::exited) {
      if (on_master) leave_master(st, instance, line.node, ts, false);
      sink_.state_change({ts, line.node, instance, node.state, "STOPPED", line.text, ""});
      node.state = "STOPPED";
    }
  } else if (ev == Ev::health && field(line, "healthy") == "false" && on_master) {
    note_sign(st, ts, line.node, "Redis health check failed (fall reached)");
  } else if (ev == Ev::health && field(line, "healthy") == "true" && on_master && st.sign &&
             st.sign->node == line.node && !st.failover) {
    st.sign.reset();  // a blip: the master stayed
  } else if (ev == Ev::redis_check && on_master && field(line, "result") != "PONG") {
    note_sign(st, ts, line.node, "PING -> " + field(line, "result"));
  } else if ((ev == Ev::not_eligible || ev == Ev::step_out || ev == Ev::stopping ||
              ev == Ev::role_refused) &&
             on_master) {
    note_sign(st, ts, line.node, line.text);
  } else if (ev == Ev::script_state && on_master && field(line, "result") == "failed") {
    note_sign(st, ts, line.node, line.text);
  } else if (ev == Ev::switchover && field(line, "outcome") == "boost_ended") {
    node.boost_ended = ts;
  } else if (ev == Ev::priority_change && node.boost_ended && ts - *node.boost_ended <= 1000) {
    node.boost_ended.reset();  // the switchover target back at its configured priority
  } else if (ev == Ev::priority_change && on_master &&
             to_count(field(line, "to"), 0) < to_count(field(line, "from"), 0)) {
    note_sign(st, ts, line.node, line.text);
  } else if (ev == Ev::signal && on_master && contains(line.text, "stopping")) {
    note_sign(st, ts, line.node, line.text);
  } else if (ev == Ev::link && on_master && contains(line.text, "down")) {
    note_sign(st, ts, line.node, line.text);
  } else if (ev == Ev::master_change && line.fields.count("master") == 0 && !st.masters.empty() &&
             !on_master) {
    note_sign(st, ts, line.node, "adverts from the master stopped (seen by " + line.node + ")");
  } else if (ev == Ev::takeover_held && !on_master) {
    note_sign(st, ts, line.node, "adverts from the master overdue (seen by " + line.node + ")");
  }
  if (st.failover) failover_step(st, line, ts);
  if (is_decision(ev)) decide(line, ts);
  // After the events: a node that starts again was last heard of before this line.
  node.last_line = ts;
}

void Analyzer::on_state_change(const std::string& instance, InstanceState& st, const LogLine& line,
                               Millis ts) {
  auto& node = st.nodes[line.node];
  StateChange c{ts,
                line.node,
                instance,
                node.state,
                field(line, "to"),
                field(line, "cause"),
                field(line, "priority")};
  if (c.to.empty()) return;
  const bool was_master = st.masters.count(line.node) > 0;
  node.state = c.to;
  sink_.state_change(c);
  if (c.to == "MASTER" && !was_master) {
    enter_master(st, instance, line.node, ts, c.cause);
  } else if (c.to != "MASTER" && was_master) {
    if (!st.failover) note_sign(st, ts, line.node, "left MASTER (" + c.cause + ")");
    leave_master(st, instance, line.node, ts, false);
    if (st.failover && st.failover->old_master == line.node) {
      st.failover->steps.push_back(
          {ts, line.node, "left MASTER for " + c.to + " (" + c.cause + ")"});
    }
  }
}

void Analyzer::note_sign(InstanceState& st, Millis ts, const std::string& node,
                         const std::string& what) {
  if (st.sign && ts - st.sign->ts <= kSignMaxAge) return;  // the first sign counts
  st.sign = PendingSign{ts, node, what};
}

void Analyzer::enter_master(InstanceState& st, const std::string& instance, const std::string& node,
                            Millis ts, const std::string& cause) {
  // The current master is the one no other has taken over from yet (one that went silent
  // without a word stays in `masters`, superseded, until its node is heard of again).
  bool current_silent = false;
  for (auto& [name, m] : st.masters)
    if (!m.superseded_at) {
      m.superseded_at = ts;
      m.superseded_by = node;
      current_silent = true;
    }
  const std::string old = st.last_master;
  // The old master went silent (killed, cut off): no master since the first sign, at least.
  std::optional<Millis> lost_at = st.no_master_since;
  if (!lost_at && current_silent && st.sign && ts - st.sign->ts <= kSignMaxAge)
    lost_at = st.sign->ts;
  st.masters[node] = OpenMaster{ts, std::nullopt, {}};
  if (lost_at && ts - *lost_at > summary_.longest_without_master) {
    summary_.longest_without_master = ts - *lost_at;
    summary_.without_master_from = *lost_at;
    summary_.without_master_instance = instance;
  }
  st.no_master_since.reset();
  if (!old.empty() && old != node) {
    if (st.failover) close_failover(st);
    Failover f;
    f.instance = instance;
    f.old_master = old;
    f.new_master = node;
    f.new_master_at = ts;
    f.cause = cause;
    if (st.sign && ts - st.sign->ts <= kSignMaxAge) {
      // The old master yielded to the new one's advert before the new one says it was master.
      if (st.sign->node == old && contains(st.sign->what, "(higher priority") &&
          st.sign->ts + kClockSlack < ts)
        sink_.clock_note({st.sign->ts, old + " yielded to a higher priority advert " +
                                           std::to_string(ts - st.sign->ts) + " ms before " + node +
                                           " logged becoming MASTER: their clocks differ"});
      f.start = st.sign->ts;
      f.first_sign = st.sign->node + ": " + st.sign->what;
      f.steps.push_back({st.sign->ts, st.sign->node, st.sign->what + " (first sign)"});
    } else {
      f.start = ts;
      f.first_sign = node + ": " + cause;
    }
    f.steps.push_back({ts, node, "MASTER (" + cause + ")"});
    st.failover = std::move(f);
    ++open_failovers_;
  }
  st.sign.reset();
  st.last_master = node;
}

void Analyzer::leave_master(InstanceState& st, const std::string& instance, const std::string& node,
                            Millis ts, bool presumed) {
  const auto it = st.masters.find(node);
  if (it == st.masters.end()) return;
  const auto m = it->second;
  st.masters.erase(it);
  MasterSpan span{instance, node, m.from, ts, false, false};
  if (m.superseded_at) {
    // Another node took over while this one had not said it left. Alive and logging after
    // that (or leaving later than a handover takes): two masters at once.
    const Millis alive_until = presumed ? st.nodes[node].last_line : ts;
    if (alive_until - *m.superseded_at > kHandover) {
      ++summary_.split_brains;
      summary_.split_brain_ms += alive_until - *m.superseded_at;
      sink_.split_brain({instance, {node, m.superseded_by}, *m.superseded_at, alive_until});
      span.to = alive_until;
    } else if (presumed) {
      span.to = *m.superseded_at;
      span.end_presumed = true;
    }
  } else if (presumed) {
    span.to = std::max(m.from, st.nodes[node].last_line);
    span.end_presumed = true;
  }
  sink_.master_span(span);
  if (!m.superseded_at) st.no_master_since = span.to;  // it was the current master
}

void Analyzer::failover_step(InstanceState& st, const LogLine& line, Millis ts) {
  auto& f = *st.failover;
  const Ev ev = event_of(line.event);
  if (line.node == f.new_master) {
    if (ev == Ev::vip_added && !f.vip_at) {
      f.vip_at = ts;
      f.steps.push_back({ts, line.node, "VIP " + field(line, "vip") + " added"});
    } else if (ev == Ev::redis_role && field(line, "role") == "master" && !f.promoted_at) {
      f.promoted_at = ts;
      f.steps.push_back({ts, line.node, "Redis promoted (" + field(line, "detail") + ")"});
    }
  } else if (line.node == f.old_master) {
    if (ev == Ev::vip_removed) {
      f.steps.push_back({ts, line.node, "VIP removed"});
    } else if (ev == Ev::redis_role && starts_with(field(line, "role"), "replica of") &&
               !f.old_demoted_at) {
      f.old_demoted_at = ts;
      f.discarded_bytes = discarded(field(line, "detail"));
      f.old_fate = "demoted: " + field(line, "role");
      if (f.discarded_bytes)
        f.old_fate += "; discarded " + std::to_string(*f.discarded_bytes) + " bytes";
      f.steps.push_back({ts, line.node, "Redis " + f.old_fate});
    }
    // The new master reacted to a priority 0 advert that the old one logs sending later.
    const bool sent_priority_0 =
        ev == Ev::stopping || (ev == Ev::state_change && field(line, "to") == "FAULT");
    if (sent_priority_0 && starts_with(f.cause, "priority 0") &&
        ts > f.new_master_at + kClockSlack && !f.clock_noted) {
      f.clock_noted = true;
      sink_.clock_note({ts, f.new_master + " became MASTER on " + line.node +
                                "'s priority 0 advert " + std::to_string(ts - f.new_master_at) +
                                " ms before " + line.node +
                                " logged sending it: their clocks differ"});
    }
    if (ev == Ev::refused_resync && f.old_fate.empty()) {
      f.old_fate = "kept its data: re-sync refused";
      f.steps.push_back({ts, line.node, line.text});
    }
  }
  if (f.vip_at && f.promoted_at && !f.old_fate.empty()) close_failover(st);
}

void Analyzer::close_failover(InstanceState& st) {
  auto f = std::move(*st.failover);
  st.failover.reset();
  --open_failovers_;
  std::stable_sort(f.steps.begin(), f.steps.end(),
                   [](const Step& a, const Step& b) { return a.ts < b.ts; });
  ++summary_.failovers;
  sink_.failover(f);
}

void Analyzer::noise(const LogLine& line, Millis ts, const std::string& key, std::uint64_t count) {
  auto id = std::make_tuple(line.node, line.instance, line.event, key);
  if (noise_.size() >= kMaxNoise && noise_.count(id) == 0)
    id = std::make_tuple(std::string("*"), std::string(), line.event, std::string("(more)"));
  auto& n = noise_[id];
  if (n.lines == 0) {
    n = Noise{std::get<0>(id), std::get<1>(id), line.event, std::get<3>(id), 0, 0, 0, ts, ts};
    n.bursts = 1;
  } else if (ts - n.last > kBurstGap) {
    ++n.bursts;
  }
  ++n.lines;
  n.count += count;
  n.last = ts;
}

void Analyzer::decide(const LogLine& line, Millis ts) {
  sink_.decision({ts, line.node, line.instance, line.event, line.text});
}

Summary Analyzer::finish(std::uint64_t stepped_back) {
  for (auto& [name, st] : instances_) {
    if (st.failover) close_failover(st);
    std::vector<std::string> nodes;
    for (const auto& [node, m] : st.masters) nodes.push_back(node);
    for (const auto& node : nodes) {
      const auto m = st.masters.at(node);
      if (m.superseded_at) {
        // Still claiming MASTER after another took over: listed among the masters at the end.
        const auto last = st.nodes[node].last_line;
        if (last - *m.superseded_at > kHandover)
          summary_.open_masters.push_back({name, node, m.from, last, false, true});
        leave_master(st, name, node, last, true);
      } else {
        MasterSpan span{name, node, m.from, summary_.last.value_or(m.from), false, true};
        summary_.open_masters.push_back(span);
        sink_.master_span(span);
      }
    }
  }
  summary_.stepped_back = stepped_back;
  for (auto& [key, n] : noise_) summary_.noise.push_back(n);
  return summary_;
}

}  // namespace redkeep::inspect
