#pragma once
// A log line as a value: a stable event name, a level and the sentence. The core produces
// them; the shell only writes them (so the core is tested without a logger, and structured
// logs can be added in the shell alone).

#include <string>
#include <utility>
#include <vector>

namespace redkeep::core {

/// Stable name of a kind of log line (to_string gives the snake_case name).
enum class LogKind {
  resumed,            ///< a restarted election resumed from its snapshot
  state_change,       ///< VRRP state entered
  master_change,      ///< who is Master now
  vip_failed,         ///< a VIP add or removal failed (retried by the vip actor)
  redis_role,         ///< the local Redis took the commanded role
  role_failed,        ///< a role change is not done yet
  role_refused,       ///< Redis refuses REPLICAOF NO ONE for good
  role_corrected,     ///< Redis's role drifted and is put right
  not_eligible,       ///< a data rule floors the priority
  eligible,           ///< no data rule floors it any longer
  step_out,           ///< a data rule keeps the node out of Master (Fault)
  step_out_ended,     ///< may take Master again
  behind_peer,        ///< a fellow replica holds more of the master's data
  redis_restarted,    ///< the local Redis has a new run_id
  takeover_held,      ///< a Backup holds its takeover (the VIP still serves our history)
  takeover_released,  ///< the hold ended
  lower_master_garp,  ///< a lower-priority Master heard: ARP burst
  floor_tie,          ///< two cut-off Masters compared their histories
  advert_rejected,    ///< a packet failed validation (rate-limited)
  link,               ///< the interface went up or down
  redis_check,        ///< a health check's result changed ("PING -> PONG")
  health,             ///< the local Redis became healthy or FAILED (after fall/rise)
  stopping,           ///< the stop protocol waits for the new master
  stop_demote,        ///< stopping: new master heard, Redis demoted
  stopped,            ///< the stop protocol is over
  cold_start,         ///< a cold start's verdict changed (waiting, newest, behind, ...)
  switchover,         ///< a switchover's steps: asked, refused, caught up, done, aborted
  refused_resync,     ///< the sync gate refused a re-sync that would discard data
  script_state,       ///< a tracked script now succeeds or fails (after rise/fall)
  priority_change,    ///< the effective priority changed (tracked scripts' weights)
  never_master,       ///< the local Redis's replica-priority is 0 (never Master), or no longer
  // Written by the shell (actors), not decided by the core:
  started,                ///< an instance started (interface, VRID, priority)
  exited,                 ///< the daemon stopped (exit status)
  signal,                 ///< a signal was received (SIGTERM, SIGHUP, ...)
  reload,                 ///< a reload's steps and outcome
  control_socket,         ///< the control socket could not be opened or moved
  config_warning,         ///< a setting that works, but not as one might think
  config_error,           ///< a setting that stops an instance or an actor
  vip_added,              ///< the VIPs were added to the interface
  vip_removed,            ///< the VIPs were removed (demotion, stop, exit, reload)
  garp,                   ///< gratuitous ARPs sent for the VIPs
  garp_failed,            ///< a gratuitous ARP could not be sent
  advert_send_failed,     ///< adverts cannot be sent (first failure and each new cause)
  adverts_resumed,        ///< adverts are sent again after failures
  advert_receive_failed,  ///< the advert socket's receive failed
  exit_advert,            ///< the priority 0 advert sent at exit, for a VIP left behind
  netlink,                ///< netlink could not be opened or used
  redis_connection,       ///< the connection to the local Redis closed or failed
  restart_guard,          ///< a restarted Redis made a replica of nowhere until its role is known
  state_file,             ///< the state file could not be read or written
  actor_restart,          ///< an actor terminated and is restarted by the supervisor
  actor_crash,            ///< an actor threw (restarted by the supervisor)
  actor_gave_up,          ///< an actor failed too often: the daemon stops
  test_hook,              ///< a test hook acted (REDKEEP_TEST_HOOKS=1 only)
  status_dump,            ///< the status written on SIGUSR1
  notify,                 ///< a notify script ran (failures and timeouts warn)
  preflight,              ///< a finding of the Redis preflight at start (once each)
  link_diagnosis,         ///< why replication is stuck (a cause found, or gone)
  service_manager,        ///< a systemd notification could not be sent
  metrics,                ///< the metrics endpoint (metrics_listen) started or failed
};

/// How loud a line is.
enum class LogLevel { info, warn, error, critical };

/// One log line the core decided on.
struct LogEvent {
  /// One named value of the event ("to", "MASTER").
  using Field = std::pair<std::string, std::string>;

  LogLevel level;
  LogKind kind;
  std::string text;           ///< the sentence, as the text log writes it
  std::vector<Field> fields;  ///< the event's values by name, for structured logs
};

/// The stable snake_case name of `kind` ("state_change", ...). Never null.
const char* to_string(LogKind kind);

}  // namespace redkeep::core
