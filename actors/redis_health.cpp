#include "actors/redis_health.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "actors/crash_reason.hpp"
#include "actors/messages.hpp"
#include "actors/poll_thread.hpp"
#include "config/password.hpp"
#include "core/check_log.hpp"
#include "core/check_schedule.hpp"
#include "core/params.hpp"
#include "core/redis_report.hpp"
#include "core/replica_priority.hpp"
#include "core/takeover_hold.hpp"
#include "net/io.hpp"
#include "redis/connection.hpp"
#include "redis/health_tracker.hpp"
#include "redis/history.hpp"
#include "redis/member_compare.hpp"
#include "redis/operations.hpp"
#include "redis/state_file.hpp"

namespace redkeep::actors {

namespace {

using Clock = std::chrono::steady_clock;

/// While Redis refuses connections, how often to try again: a restarted
/// Redis must be caught (and guarded) before its old replicas reconnect,
/// which they do once a second.
constexpr auto kDownRetry = std::chrono::milliseconds(1);

/// While a restarted Redis refuses to be made a replica (LOADING), how often
/// to try again.
constexpr auto kGuardRetry = std::chrono::milliseconds(5);

/// How often replica-priority is read with CONFIG GET (and after each reconnect): an operator
/// who sets it to 0 on the Master sees it leave within this time.
constexpr auto kReplicaPriorityPeriod = std::chrono::seconds(2);

/// At most this many members are kept (and probed): enough for any cluster VRRP serves.
constexpr std::size_t kMaxMembers = 32;

/// What the actor tells the check loop, across threads.
struct HealthSignals {
  std::atomic<bool> check_now{false};       // check at once
  std::atomic<bool> master_overdue{false};  // compare with the fellow replicas at every check
  std::mutex mutex;
  std::optional<net::IpAddress> compare_with;  // a history comparison asked by the election
};

/// The check loop of one instance, on redis_health's own thread: fixed-rate
/// checks; between them a watch on the idle connection so a close is seen at
/// once; while Redis is down, reconnects every kDownRetry.
class HealthLoop {
 public:
  HealthLoop(redis_health_actor me, InstanceContext ctx, std::shared_ptr<HealthSignals> signals)
      : me_(std::move(me)),
        signals_(std::move(signals)),
        ctx_(std::move(ctx)),
        rs_(*ctx_.instance.redis),
        own_redis_(core::peer_redis_address(ctx_.instance, ctx_.primary_address)
                       .value_or(ctx_.primary_address)),
        log_(ctx_.log()),
        tracker_(rs_.fall, rs_.rise),
        schedule_(rs_.check_interval) {}

  void run(const std::atomic<bool>& stop) {
    try {
      access_ = config::read_redis_access(rs_);
    } catch (const std::exception& e) {
      log_.error(core::LogKind::config_error, "Configuration error: {}", e.what());
      report(redis::CheckOutcome::config_error, "Failed (password_file unreadable)", {});
      return;
    }
    load_state();
    for (const auto& member : core::configured_redis_members(ctx_.instance))
      learn_member(member.to_string(), rs_.port);
    publish_members();
    schedule_.due_now(Clock::now());
    while (!stop) step();
  }

 private:
  void step() {
    compare_history_if_asked();
    if (guard_pending_) {
      if (conn_ && !conn_->is_broken()) apply_guard();
      if (guard_pending_) std::this_thread::sleep_for(kGuardRetry);
    }
    if (signals_->check_now.exchange(false)) schedule_.due_now(Clock::now());
    auto now = Clock::now();
    if (down_) {
      std::this_thread::sleep_for(kDownRetry);
      bool due = schedule_.due(Clock::now());
      if (due) schedule_.checked(Clock::now());
      if (connect(/*quiet=*/!due)) check();
      return;
    }
    if (!schedule_.due(now)) {
      watch_idle(now);
      return;
    }
    schedule_.checked(Clock::now());
    if ((!conn_ || conn_->is_broken()) && !connect(false)) return;
    check();
  }

  /// Idle: readable with no command outstanding means the server closed the
  /// connection. Reopen at once; a refusal then is a failure now.
  void watch_idle(Clock::time_point now) {
    const int wait_ms =
        static_cast<int>(schedule_.wait(now, std::chrono::milliseconds(200)).count());
    if (!conn_ || conn_->is_broken()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
      return;
    }
    auto readable = net::wait_readable(conn_->fd(), wait_ms);
    if (!readable || !*readable || !conn_->peer_closed()) return;
    log_.warn(core::LogKind::redis_connection, "Connection to Redis closed by the server; reconnecting");
    conn_.reset();
    if (connect(false, /*after_close=*/true)) check();
  }

  /// Opens the connection. `quiet`: a retry while down that is not a
  /// scheduled check: not reported. `after_close`: the server just closed our
  /// connection; failing to reopen it means Redis is going down.
  bool connect(bool quiet, bool after_close = false) {
    auto c = redis::Connection::open(rs_.host, rs_.port, rs_.check_timeout, rs_.check_timeout,
                                     access_, "redkeep-health");
    if (!c) {
      auto e = c.error();
      if (after_close && (e.failure == redis::Failure::closed || e.failure == redis::Failure::io))
        e.failure = redis::Failure::refused;
      down_ = e.failure == redis::Failure::refused;
      if (!quiet) fail(e);
      return false;
    }
    conn_ = std::make_unique<redis::Connection>(std::move(c.value()));
    down_ = false;
    replica_priority_.reconnected();
    guard_if_restarted();
    return true;
  }

  /// A new run_id means Redis restarted and lost what it held in memory
  /// (unless it loaded it back). Before anything else, and before its old
  /// replicas reconnect, make it a replica of nowhere: a replica whose master
  /// link is down answers -NOMASTERLINK to SYNC/PSYNC, so nobody re-syncs
  /// from the emptied data set. The election then points it at the master.
  void guard_if_restarted() {
    // First sight with no state file: nothing to compare with (a new cluster).
    if (!last_run_id_ && !unknown_history_) return;
    auto info = redis::info(*conn_, {"server"});
    if (!info) return;  // the next check reads it again
    auto run_id = redis::parse_server_info(info.value()).run_id;
    if (run_id.empty() || run_id == last_run_id_) return;
    unknown_history_ = false;
    // Keys (or LOADING) at first sight after the restart came from disk: worth guarding until
    // it has synced or been promoted.
    // Unread: assumed loaded; the first comparison finds out (an empty Redis ends it).
    auto data = redis::info(*conn_, {"keyspace", "persistence"});
    const auto keys = data ? redis::key_count(data.value()) : 0;
    loaded_data_ = !data || keys > 0 ||
                   redis::parse_persistence_info(data.value()).loading.value_or(false);
    log_.warn(core::LogKind::redis_restarted, "Redis restarted (run_id {} -> {}){}",
              last_run_id_ ? last_run_id_->substr(0, 8) : "unknown", run_id.substr(0, 8),
              !data         ? ""
              : loaded_data_ ? " with data loaded from disk (" + std::to_string(keys) + " keys so far)"
                             : ", empty");
    last_run_id_ = run_id;
    restarted_pending_ = true;
    guard_pending_ = true;
    apply_guard();
  }

  /// REPLICAOF nowhere until it holds: a LOADING Redis refuses it, and must
  /// not feed replicas once loading ends either.
  void apply_guard() {
    auto r = redis::replicaof_nowhere(*conn_);
    if (r) {
      guard_pending_ = false;
      log_.warn(
          core::LogKind::restart_guard,
          "Made the restarted Redis a replica of nowhere (REPLICAOF {} {}) so no "
          "replica re-syncs from it, until the election decides its role",
          redis::kNowhereHost, redis::kNowherePort);
    } else if (!guard_error_logged_) {
      guard_error_logged_ = true;
      log_.warn(core::LogKind::restart_guard, "REPLICAOF {} {} refused ({}); retrying until it holds", redis::kNowhereHost,
                redis::kNowherePort, r.error().message);
    }
    if (!guard_pending_) guard_error_logged_ = false;
  }

  void check() {
    auto pong = redis::ping(*conn_);
    if (!pong && conn_->is_broken() && pong.error().failure != redis::Failure::timeout) {
      // Closed under our PING: reopen at once, as for an idle close.
      conn_.reset();
      if (!connect(false, /*after_close=*/true)) return;
      pong = redis::ping(*conn_);
    }
    if (!pong) {
      fail(pong.error());
      return;
    }
    RedisHealth r;
    read_info(r);
    read_replica_priority(r);
    if (!r.run_id.empty()) {
      if (last_run_id_ && *last_run_id_ != r.run_id && !restarted_pending_) {
        // Restarted between two of our connections without us seeing it
        // down: guard now.
        guard_if_restarted();
        read_info(r);
      }
      last_run_id_ = r.run_id;
    }
    // Reported by a check that passed: LOADING is alive but not eligible, never Fault.
    r.restarted = restarted_pending_;
    restarted_pending_ = false;
    if (r.role == redis::InfoRole::replica && signals_->master_overdue.load()) probe_vip(r);
    compare_with_peers(r);
    compare_cold_start(r);
    if (r.role == redis::InfoRole::replica) learn_member(r.master_host, r.master_port);
    for (const auto& [host, port] : peers_) learn_member(host, port);
    publish_members();
    save_state(r);
    report(redis::CheckOutcome::pong, "PONG", std::move(r));
  }

  /// Cold start after a power loss: while the local Redis holds data loaded at its restart and has
  /// neither synced from a master nor been promoted since, its data is compared with each
  /// member's Redis (redis::compare_data); members that do not answer, or are LOADING, are
  /// missing. The election decides on them (core::judge_cold_start).
  void compare_cold_start(const RedisHealth& r) {
    // A replica of nowhere holding keys is a restart not yet resolved, also when redkeep (or
    // this actor) restarted since it was seen: it was put there by the guard.
    if ((!loaded_data_ && !core::replica_of_nowhere(r)) || guard_pending_) return;
    if (core::restart_resolved(r)) {
      loaded_data_ = false;
      return;
    }
    auto mine = redis::info(*conn_, {"replication", "keyspace", "persistence"});
    if (!mine || redis::parse_persistence_info(mine.value()).loading.value_or(false)) return;
    loaded_data_ = redis::key_count(mine.value()) > 0;  // an empty AOF or RDB: nothing to guard
    // cold_start_quorum 1: nothing waits for the comparisons (the gate still guards).
    if (!loaded_data_ || rs_.cold_start_quorum == 1u) return;
    std::vector<core::MemberData> compared;
    std::vector<std::string> missing;
    // At most half a check interval per round, so checks keep their rate however many
    // members do not answer; the next round starts where this one stopped.
    const auto deadline = Clock::now() + rs_.check_interval / 2;
    const std::vector<net::RedisEndpoint> all(members_.begin(), members_.end());
    const auto start = cold_start_next_;
    for (std::size_t i = 0; i < all.size(); ++i) {
      const auto& m = all[(start + i) % all.size()];
      const auto name = net::host_port(m.address.to_string(), m.port);
      if (Clock::now() >= deadline) {
        core::carry_over(name, cold_start_compared_, compared, missing);
        continue;
      }
      cold_start_next_ = (start + i + 1) % all.size();
      const auto c = redis::compare_with_member(*conn_, mine.value(), m.address.to_string(),
                                                m.port, peer_timeout(), access_);
      if (c.order) {
        compared.push_back({name, *c.order, c.detail});
      } else {
        missing.push_back(name + " (" + c.why_not + ")");
      }
    }
    // Promoted while the members were asked (the election made it master): they may already
    // replicate from it and look newer than what was read of it before. The cold start is over.
    auto now_role = redis::info(*conn_, {"replication"});
    if (now_role && redis::parse_replication_info(now_role.value()).role == redis::InfoRole::master) {
      loaded_data_ = false;
      return;
    }
    cold_start_compared_ = std::move(compared);
    cold_start_missing_ = std::move(missing);
  }

  /// Most up-to-date replica wins. While this replica's link is
  /// up it learns its fellow replicas from the master's INFO. Once the link
  /// is down (the master died, or this replica was cut off) it asks them
  /// directly: a fellow replica of the same history with a larger offset
  /// means this one is behind and must not be promoted before it.
  void compare_with_peers(RedisHealth& r) {
    if (r.role != redis::InfoRole::replica) {
      peers_.clear();
      return;
    }
    if (!core::compares_with_fellows(r, signals_->master_overdue.load())) {
      r.behind_peer = false;
      learn_peers(r);
      return;
    }
    bool answered = false;
    for (const auto& [host, port] : peers_) {
      auto c = redis::Connection::open(host, port, peer_timeout(), peer_timeout(), access_,
                                       "redkeep-peer");
      if (!c) continue;
      auto info = redis::info(c.value(), {"replication"});
      if (!info) continue;
      answered = true;
      const auto peer = redis::parse_replication_info(info.value());
      if (!core::fellow_ahead(peer, r.replid, r.repl_offset)) continue;
      // Our offset again, read after the peer's: while the old master still
      // streams (only its redkeep is gone) both replicas advance, and a
      // peer read later than our own offset would look ahead by what was in
      // flight. Read this way round, only a peer that stays ahead counts.
      auto own = own_offset();
      if (own && !core::fellow_ahead(peer, r.replid, *own)) continue;
      const auto offset = peer.master_repl_offset.value_or(-1);
      r.behind_peer = true;
      r.behind_detail = "replica " + net::host_port(host, port) + " has offset " +
                        std::to_string(offset) + ", this one " +
                        std::to_string(own.value_or(r.repl_offset));
      return;
    }
    if (answered) r.behind_peer = false;
  }

  /// While the Master's adverts are overdue: does the VIP still lead to a master Redis of the
  /// history this replica follows (our replication id, or the previous id of a fellow replica
  /// promoted meanwhile) that a live redkeep watches? Then clients still write there, and
  /// promoting this one would split the writes: the election holds its takeover.
  /// Unwatched (the Master's redkeep died, a keepalived master) nothing guards that Redis
  /// against a restart its replicas would copy: no hold. Asked first in the check, so the
  /// verdict is in before Master_Down_Interval ends; not answered: nullopt.
  void probe_vip(RedisHealth& r) {
    const auto client_vip = core::client_vip(ctx_.instance);
    if (!client_vip) return;
    const auto vip = client_vip->to_string();
    auto c = redis::Connection::open(vip, rs_.port, peer_timeout(), peer_timeout(), access_,
                                     "redkeep-peer");
    if (!c) return;
    auto info = redis::info(c.value(), {"replication"});
    if (!info) return;
    auto clients = redis::list_clients(c.value());
    const auto v =
        core::judge_vip(redis::parse_replication_info(info.value()),
                        clients ? std::optional(std::move(clients.value())) : std::nullopt,
                        r.replid, vip + ":" + std::to_string(rs_.port));
    r.vip_serves_master = v.serves_our_history;
    r.vip_detail = v.detail;
  }

  /// Two floor-priority Masters met, one of them cut off: whose Redis history contains the other's.
  void compare_history_if_asked() {
    std::optional<net::IpAddress> peer;
    {
      std::lock_guard<std::mutex> lock(signals_->mutex);
      peer.swap(signals_->compare_with);
    }
    if (!peer) return;
    HistoryVerdict v{*peer, redis::FloorTie::address, "the Redis histories could not be read"};
    auto c = redis::Connection::open(peer->to_string(), rs_.port, peer_timeout(), peer_timeout(),
                                     access_, "redkeep-peer");
    if (!c || !conn_ || conn_->is_broken()) return caf::anon_send(me_, v);
    auto theirs = redis::info(c.value(), {"replication", "keyspace"});
    auto mine = redis::info(*conn_, {"replication", "keyspace"});
    if (!theirs || !mine) return caf::anon_send(me_, v);
    const auto their_repl = redis::parse_replication_info(theirs.value());
    const auto my_repl = redis::parse_replication_info(mine.value());
    v.outcome = redis::floor_tie_outcome(my_repl, their_repl);
    v.detail = redis::describe_floor_tie(my_repl, their_repl);
    if (v.outcome == redis::FloorTie::address) {
      // Offsets decide nothing: sampled keys may (an island that only expired keys).
      auto ours_there = redis::sample_against(*conn_, c.value(), mine.value());
      auto theirs_here = redis::sample_against(c.value(), *conn_, theirs.value());
      if (ours_there && theirs_here) {
        v.outcome = redis::floor_tie_by_keys(ours_there.value(), theirs_here.value());
        v.detail += "; " + redis::describe_key_samples(ours_there.value(), theirs_here.value());
      }
    }
    caf::anon_send(me_, v);
  }

  /// master_repl_offset of the local Redis now; nullopt when INFO fails.
  std::optional<std::int64_t> own_offset() {
    if (!conn_ || conn_->is_broken()) return std::nullopt;
    auto info = redis::info(*conn_, {"replication"});
    if (!info) return std::nullopt;
    return redis::parse_replication_info(info.value()).master_repl_offset;
  }

  /// Peers are asked within Skew_Time of losing the Master: a dead or
  /// unreachable one must not hold the check up for a whole check_timeout.
  std::chrono::milliseconds peer_timeout() const {
    return std::min(rs_.check_timeout, std::chrono::milliseconds(250));
  }

  void learn_peers(const RedisHealth& r) {
    const auto peer = net::host_port(r.master_host, r.master_port);
    if (!master_conn_ || master_conn_->is_broken() || master_conn_->peer() != peer) {
      master_conn_.reset();
      auto c = redis::Connection::open(r.master_host, r.master_port, peer_timeout(), peer_timeout(),
                                       access_, "redkeep-peer");
      if (!c) return;
      master_conn_ = std::make_unique<redis::Connection>(std::move(c.value()));
    }
    auto info = redis::info(*master_conn_, {"replication"});
    if (!info) return;
    peers_.clear();
    const auto own = ctx_.primary_address.to_string();
    for (const auto& rep : redis::parse_replication_info(info.value()).replicas)
      if (!(rep.ip == own && rep.port == rs_.port)) peers_.emplace_back(rep.ip, rep.port);
  }

  void read_info(RedisHealth& report) {
    auto info = redis::info(*conn_, {"replication", "server"});
    if (!info) return;
    const auto repl = redis::parse_replication_info(info.value());
    report = core::report_from_info(repl, redis::parse_server_info(info.value()));
    for (const auto& rep : repl.replicas) learn_member(rep.ip, rep.port);
  }

  /// replica-priority (core::ReplicaPrioritySource decides when to ask and what stands).
  void read_replica_priority(const RedisHealth& r) {
    if (replica_priority_.config_get_due(Clock::now())) {
      auto v = redis::config_get(*conn_, "replica-priority");
      if (v) {
        replica_priority_.config_get_answered(v.value());
      } else if ((v.failure() == redis::Failure::noperm ||
                  v.failure() == redis::Failure::unknown_command) &&
                 replica_priority_.config_get_refused()) {
        log_.warn(core::LogKind::config_warning,
                  "CONFIG GET replica-priority refused ({}): replica-priority 0 is seen only "
                  "while this Redis is a replica (INFO); add +config|get to redkeep's ACL user",
                  v.error().message);
      }
    }
    replica_priority_.info_seen(r.replica_priority);
  }

  void fail(const redis::Error& e) {
    report(redis::outcome_of(e.failure), core::failed_check_text(e), RedisHealth{});
  }

  void report(redis::CheckOutcome outcome, const std::string& text, RedisHealth r) {
    r.loaded_data = loaded_data_;
    r.replica_priority = replica_priority_.value();  // the last known, also through a failed check
    r.members_known = members_.size();
    // The last comparisons stand until the next round: a failed check compares nothing.
    if (loaded_data_) {
      r.cold_start_compared = cold_start_compared_;
      r.cold_start_missing = cold_start_missing_;
    } else {
      cold_start_compared_.clear();
      cold_start_missing_ = {};
    }
    bool changed = tracker_.record(outcome);
    r.healthy = tracker_.healthy();
    r.loading = tracker_.loading();
    r.config_error = tracker_.config_error();
    r.last_result = text;
    const auto address = net::host_port(rs_.host, rs_.port);
    for (const auto& line : check_log_.record(outcome, text, changed, tracker_.healthy(), address))
      log_.write(line);
    caf::anon_send(me_, std::move(r));
  }

  void load_state() {
    std::string error;
    auto s = redis::load_redis_state(ctx_.state_file, ctx_.instance.name, &error);
    if (!error.empty()) log_.warn(core::LogKind::state_file, "{}", error);
    // A file that exists but cannot be read (cut short by a power loss, edited by hand): the
    // data's history is unknown, so the first sight of Redis counts as a restart.
    unknown_history_ = !error.empty();
    if (s && !s->run_id.empty()) last_run_id_ = s->run_id;
    if (!s) return;
    for (const auto& m : s->members) {
      const auto colon = m.rfind(':');
      if (colon == std::string::npos) continue;
      try {
        learn_member(m.substr(0, colon), std::stoi(m.substr(colon + 1)));
      } catch (const std::exception&) {
        // A hand-edited entry that is not ADDRESS:PORT: skipped.
      }
    }
  }

  /// A member of the cluster: an address other than our own node's Redis (and our loopback).
  void learn_member(const std::string& host, int port) {
    const auto member = core::member_endpoint(host, port, own_redis_, rs_.port);
    if (member && members_.size() < kMaxMembers) members_.insert(*member);
  }

  /// Hands a changed member set to member_probe (through the actor); saved with the state.
  void publish_members() {
    if (members_ == published_) return;
    published_ = members_;
    caf::anon_send(me_, Members{{members_.begin(), members_.end()}});
  }

  void save_state(const RedisHealth& r) {
    redis::PersistedRedisState s{
        r.run_id, r.replid, r.repl_offset, core::info_role_word(r.role), {}};
    for (const auto& m : members_)
      s.members.push_back(m.address.to_string() + ":" + std::to_string(m.port));
    if (s.run_id.empty() || saved_ == s) return;
    std::string error;
    if (redis::save_redis_state(ctx_.state_file, ctx_.instance.name, s, &error)) {
      saved_ = s;
    } else if (!state_error_logged_) {
      log_.error(core::LogKind::state_file, "{}", error);
      state_error_logged_ = true;
    }
  }

  redis_health_actor me_;
  std::shared_ptr<HealthSignals> signals_;
  InstanceContext ctx_;
  const config::RedisSettings& rs_;
  const net::IpAddress own_redis_;  // this node's Redis address, as the members list it
  Log log_;
  redis::Access access_;
  core::ReplicaPrioritySource replica_priority_{kReplicaPriorityPeriod};
  redis::HealthTracker tracker_;
  std::unique_ptr<redis::Connection> conn_;
  core::CheckSchedule schedule_;
  bool down_ = false;
  std::optional<std::string> last_run_id_;
  bool restarted_pending_ = false;
  bool loaded_data_ = false;  // restarted with data, not synced or promoted since
  bool unknown_history_ = false;  // the state file exists but could not be read
  // The last cold-start round (compare_cold_start): members compared, and not (with why).
  std::vector<core::MemberData> cold_start_compared_;
  std::vector<std::string> cold_start_missing_;
  std::size_t cold_start_next_ = 0;  // the member a round starts with
  bool guard_pending_ = false;  // the restarted Redis refused REPLICAOF nowhere so far
  bool guard_error_logged_ = false;
  std::optional<redis::PersistedRedisState> saved_;
  std::vector<std::pair<std::string, int>> peers_;  // fellow replicas of our master
  std::set<net::RedisEndpoint> members_;            // of the cluster, learned or loaded
  std::set<net::RedisEndpoint> published_;          // last handed to member_probe
  std::unique_ptr<redis::Connection> master_conn_;  // to our master, to learn them
  core::CheckLog check_log_;
  bool state_error_logged_ = false;
};

struct RedisHealthState {
  InstanceContext ctx;
  Wiring wiring;
  Members members;  // last known, re-sent to a restarted member_probe
  std::shared_ptr<HealthSignals> signals = std::make_shared<HealthSignals>();
  std::unique_ptr<PollThread> checker;
  static inline const char* name = "redis_health";
};

using Self = redis_health_actor::stateful_base<RedisHealthState>;

redis_health_actor::behavior_type redis_health(Self* self, InstanceContext ctx) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  self->set_exception_handler(crash_handler("redis_health" + st.ctx.tag()));
  auto me = caf::actor_cast<redis_health_actor>(self);
  st.checker = std::make_unique<PollThread>(
      "rk-health",
      [me, c = st.ctx, signals = st.signals](const std::atomic<bool>& stop) {
        HealthLoop(me, c, signals).run(stop);
      },
      PollThread::Ending::release);
  return {
      [self](const Wiring& w) {
        auto& st = self->state;
        if (w.member_probe && w.member_probe != st.wiring.member_probe)
          self->send(w.member_probe, st.members);
        st.wiring = w;
      },
      [self](const Members& m) {
        self->state.members = m;
        if (self->state.wiring.member_probe) self->send(self->state.wiring.member_probe, m);
      },
      [self](const RedisHealth& h) {
        if (self->state.wiring.election) self->send(self->state.wiring.election, h);
      },
      [self](const CompareHistory& c) {
        std::lock_guard<std::mutex> lock(self->state.signals->mutex);
        self->state.signals->compare_with = c.peer;
      },
      [self](const HistoryVerdict& v) {
        if (self->state.wiring.election) self->send(self->state.wiring.election, v);
      },
      // The Master's adverts stopped: compare with the fellow replicas now,
      // not at the next check (Skew_Time may be shorter than check_interval).
      [self](check_atom, bool master_overdue) {
        self->state.signals->master_overdue = master_overdue;
        if (master_overdue) self->state.signals->check_now = true;
      },
      [self](crash_atom) -> caf::result<void> {
        throw std::runtime_error("crash requested by test hook");
      },
  };
}

}  // namespace

caf::actor spawn_redis_health(caf::local_actor* parent, const InstanceContext& ctx) {
  // On the scheduler: the checks block on a thread of their own, which it never waits for.
  return caf::actor_cast<caf::actor>(parent->spawn(redis_health, ctx));
}

}  // namespace redkeep::actors
