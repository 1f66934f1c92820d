#include "redis/link_diagnosis.hpp"

#include <algorithm>

namespace redkeep::redis {

std::optional<std::string> master_auth_problem(const MemberFacts& master,
                                               const std::string& masterauth,
                                               const std::string& masteruser) {
  if (master.requires_auth && masterauth.empty())
    return std::string(
        "masterauth is not set and the master requires a password (PSYNC answered NOAUTH): "
        "set masterauth (and masteruser) in redis.conf, or manage_masterauth yes in the redis "
        "block");
  const std::string as = masteruser.empty() ? "" : " as masteruser '" + masteruser + "'";
  if (master.masterauth_refused)
    return "AUTH with masterauth" + as + " fails on the master (" + *master.masterauth_refused +
           "): make it the master's password";
  if (!master.masteruser_denied.empty()) {
    std::string denied;
    for (const auto& d : master.masteruser_denied) denied += (denied.empty() ? "" : ", ") + d;
    return "the master's ACL does not let masteruser '" + masteruser + "' run " + denied +
           ": ACL SETUSER " + masteruser + " +psync +replconf +ping";
  }
  return std::nullopt;
}

bool LinkDiagnosis::probes_due(std::chrono::steady_clock::time_point now) const {
  return down_since_ && now - *down_since_ >= threshold_;
}

std::vector<DiagnosisLine> LinkDiagnosis::observe(const LinkObservation& o) {
  std::vector<Cause> now_causes;
  const bool down = o.master && !o.link_up;
  if (!down || o.master != master_) {
    down_since_.reset();
    sync_full_at_first_probe_.reset();
  }
  master_ = o.master;
  if (down) {
    if (!down_since_) down_since_ = o.now;
    const std::string& m = *o.master;
    if (o.connect_error)
      now_causes.push_back({"connect", "replication link to " + m +
                                           " down: cannot connect to the master (" +
                                           *o.connect_error + ")"});
    if (o.auth_problem)
      now_causes.push_back({"auth", "replication link to " + m + " down: " + *o.auth_problem});
    if (o.master_sync_full) {
      if (!sync_full_at_first_probe_) sync_full_at_first_probe_ = o.master_sync_full;
      const auto started = *o.master_sync_full - *sync_full_at_first_probe_;
      // Two full syncs begun while the link stayed down: each one fails and the replica asks
      // again, typically cut off by the master's client-output-buffer-limit replica.
      if (started >= 2)
        now_causes.push_back(
            {"sync_loop",
             "replication link to " + m + " down: full-sync loop (the master's sync_full rose by " +
                 std::to_string(started) +
                 " while the link stayed down): a full sync keeps failing, typically cut by the "
                 "master's client-output-buffer-limit replica (see the master's log); raise it"});
    }
  }
  if (o.min_replicas_to_write && *o.min_replicas_to_write > 0 && o.good_replicas &&
      *o.good_replicas < *o.min_replicas_to_write)
    now_causes.push_back({"noreplicas", "the master answers NOREPLICAS to writes: " +
                                            std::to_string(*o.good_replicas) +
                                            " replica(s) within min-replicas-max-lag, "
                                            "min-replicas-to-write " +
                                            std::to_string(*o.min_replicas_to_write)});

  std::vector<DiagnosisLine> lines;
  // A cause is the same while its key is: its figures move from round to round.
  const auto has = [](const std::vector<Cause>& list, const std::string& key) {
    return std::any_of(list.begin(), list.end(), [&](const Cause& c) { return c.key == key; });
  };
  for (const auto& c : now_causes)
    if (!has(causes_, c.key)) lines.push_back({true, c.text});
  for (const auto& old : causes_)
    if (!has(now_causes, old.key)) lines.push_back({false, "no longer: " + old.text});
  causes_ = std::move(now_causes);
  return lines;
}

std::vector<std::string> LinkDiagnosis::causes() const {
  std::vector<std::string> out;
  for (const auto& c : causes_) out.push_back(c.text);
  return out;
}

}  // namespace redkeep::redis
