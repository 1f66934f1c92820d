#pragma once
// The VRRP election as a pure state machine: (state, event, now) -> (new
// state, actions). No sockets, no clock reads, no logging: the election actor
// feeds it events with the current time, executes the returned actions in
// order, and arms one timer for next_deadline().
//
// Follows RFC 5798 section 6.4 (RFC 3768 section 6.4 for v2), with keepalived's
// operator-visible semantics where they differ (DESIGN.md section 3):
// - a Master receiving a lower priority advert (or an equal one from a lower
//   address) re-advertises at once instead of discarding it;
// - `nopreempt` and `preempt_delay` as keepalived 2.x implements them;
// - a Fault state for failed tracked checks and interface (carrier) loss;
// - a Master whose adverts cannot be sent steps down to Fault (a Master nobody
//   hears would hold its VIP beside the one its peers elect).
// - Skew_Time uses the *effective* priority.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "net/ip_address.hpp"
#include "net/vrrp/timing.hpp"
#include "net/vrrp/version.hpp"

namespace redkeep::net::vrrp {

/// Monotonic time, passed in by the caller with every event.
using TimePoint = std::chrono::steady_clock::time_point;

/// RFC 5798 section 6.4 states plus keepalived's Fault.
enum class State : std::uint8_t { initialize, backup, master, fault };

/// "INIT", "BACKUP", "MASTER", "FAULT", as keepalived logs them.
const char* to_string(State state);

/// Lowest priority a live router advertises; a node that is not eligible
/// (DESIGN.md section 3, data rules) advertises this.
inline constexpr std::uint8_t kFloorPriority = 1;
/// Highest configurable priority: 255 (address owner) does not fit a floating VIP.
inline constexpr std::uint8_t kMaxPriority = 254;

/// Static configuration of one virtual router (keepalived `vrrp_instance`).
struct ElectionParams {
  std::uint8_t vrid = 0;  ///< virtual_router_id, 1..255
  Version version = Version::v2;
  std::uint8_t priority = 100;  ///< configured priority, 1..254
  /// Advertisement_Interval (keepalived `advert_int`), centiseconds, > 0.
  Centiseconds advert_interval{100};
  /// keepalived `state`: backup (default) waits Master_Down_Interval at
  /// startup; master takes over at startup. Only backup or master.
  State initial_state = State::backup;
  /// keepalived `nopreempt`: as Backup, never take over from a live master of
  /// lower priority.
  bool nopreempt = false;
  /// keepalived `preempt_delay`: as Backup, take over from a lower-priority
  /// master only after seeing it for this long. Zero = preempt at once.
  Microseconds preempt_delay{0};
  /// This node's primary address on the VRRP interface: the source of its
  /// adverts and the RFC 5798 6.4.3 tie-break on equal priority.
  IpAddress primary_address;
};

/// Inputs that make up the effective (advertised) priority.
struct PriorityInputs {
  /// False while the node's Redis is not fit to be master (loading, not
  /// re-synced, lagging, ...): the node then advertises kFloorPriority.
  bool eligible = true;
  /// Sum of the weights of the tracked checks (keepalived `weight`: positive
  /// weights count while the check succeeds, negative ones while it fails).
  int weight_sum = 0;
  /// A Master at the floor priority because it was cut off from the cluster:
  /// meeting another floor-priority Master, it does not yield to it by address for one
  /// Advertisement_Interval, while the two compare their Redis histories (the one whose
  /// history contains the other's returns to its configured priority and wins by priority).
  /// A bounded deviation from RFC 5798 6.4.3's address tie-break between redkeep nodes only.
  bool hold_floor_tie = false;
  /// The target of a switchover (`redkeep switchover`): while eligible it advertises
  /// kMaxPriority (254) whatever its configured priority and weights, so that the Master it
  /// replaces yields at once (RFC 5798 6.4.3: a higher-priority advert) and nobody preempts it.
  bool switchover = false;
  /// The node must never be Master (redkeep: its Redis has replica-priority 0, Redis's "never
  /// promote this replica"): a Backup's Master_Down_Timer re-arms instead of taking Master, a
  /// Master leaves at once with a priority 0 advert (RFC 5798 6.4.3's shutdown: the Backups
  /// take over after Skew_Time), `state MASTER` starts as Backup, take_master is refused.
  bool never_master = false;

  friend bool operator==(const PriorityInputs& a, const PriorityInputs& b) {
    return a.eligible == b.eligible && a.weight_sum == b.weight_sum &&
           a.hold_floor_tie == b.hold_floor_tie && a.switchover == b.switchover &&
           a.never_master == b.never_master;
  }
};

/// A valid advertisement for this VRID, as the codec hands it over.
struct PeerAdvert {
  IpAddress source;       ///< IP source address = the sender's primary address
  std::uint8_t priority;  ///< 0..255; 0 = the master is leaving
  /// Max Adver Int of the packet, centiseconds (v2: seconds x 100). Only v3
  /// backups adopt it as Master_Adver_Interval (RFC 5798 6.4.2).
  Centiseconds adver_int;
};

// ---- Actions. The actor executes them in vector order. ----

/// Send one advertisement with this priority (0 = leaving Master).
struct SendAdvert {
  std::uint8_t priority;
  friend bool operator==(const SendAdvert& a, const SendAdvert& b) {
    return a.priority == b.priority;
  }
};

/// The state changed; `reason` is a human sentence for the log.
struct StateChanged {
  State from;
  State to;
  std::string reason;
  friend bool operator==(const StateChanged& a, const StateChanged& b) {
    return a.from == b.from && a.to == b.to && a.reason == b.reason;
  }
};

/// This node now holds the virtual router. The actor promotes the local Redis
/// (REPLICAOF NO ONE) first, then adds the VIPs, then sends gratuitous ARPs
/// (DESIGN.md section 4). Emitted after the first SendAdvert of the new Master
/// so peers stop their Master_Down_Timers without waiting for Redis.
struct AddVips {
  friend bool operator==(const AddVips&, const AddVips&) { return true; }
};

/// This node no longer holds the virtual router. The actor removes the VIPs
/// first, then demotes Redis. Always the first action when leaving Master,
/// before any priority 0 advert.
struct RemoveVips {
  friend bool operator==(const RemoveVips&, const RemoveVips&) { return true; }
};

/// The node this one believes is Master changed: the source of the Master's
/// adverts (what Redis replicates from), this node itself (`self`, address =
/// own primary address), or unknown (nullopt, e.g. after a priority 0 advert).
struct MasterChanged {
  std::optional<IpAddress> master;
  bool self = false;
  friend bool operator==(const MasterChanged& a, const MasterChanged& b) {
    return a.master == b.master && a.self == b.self;
  }
};

using Action = std::variant<SendAdvert, StateChanged, AddVips, RemoveVips, MasterChanged>;
using Actions = std::vector<Action>;

/// Everything needed to resume an election where it was (DESIGN.md section
/// 3): a restarted election actor restores it instead of starting over.
/// Deadlines are absolute steady_clock times, valid within one process.
struct Snapshot {
  std::uint8_t vrid = 0;
  State state = State::initialize;
  std::optional<IpAddress> master_address;
  bool master_is_self = false;
  std::uint8_t master_priority = 0;  ///< last priority heard from the master
  Centiseconds master_adver_interval{0};
  PriorityInputs priority_inputs;
  bool check_failed = false;
  bool interface_down = false;
  bool send_failed = false;  ///< adverts could not be sent (Fault until one goes out)
  std::optional<TimePoint> adver_timer;        ///< Master: next advert due
  std::optional<TimePoint> master_down_timer;  ///< Backup: Master_Down_Timer expiry
  std::optional<TimePoint> preempt_time;       ///< Backup: preempt_delay ends
  std::string down_reason;                     ///< reason logged if the Master_Down_Timer fires
  std::uint64_t transitions = 0;
};

/// One VRRP virtual router's election. Not thread-safe; owned by one actor.
class StateMachine {
 public:
  /// Throws std::invalid_argument when params are out of range: vrid 0,
  /// priority outside 1..254, advert_interval <= 0, initial_state other than
  /// backup/master, negative preempt_delay.
  explicit StateMachine(ElectionParams params);

  // ---- Events: one entry point per kind. Each returns the actions to run. ----

  /// RFC 5798 6.4.1 Startup: Initialize -> Backup (Master_Down_Timer =
  /// Master_Down_Interval), or -> Master with `state MASTER`, or -> Fault when
  /// a fault input is already set. Ignored outside Initialize.
  Actions startup(TimePoint now);

  /// Shutdown event: any state -> Initialize. A Master removes its VIPs and
  /// sends a priority 0 advert (RFC 5798 6.4.3) so backups take over after
  /// Skew_Time.
  Actions shutdown(TimePoint now);

  /// An advertisement for this VRID passed validation (RFC 5798 6.4.2 for
  /// Backup, 6.4.3 for Master). Adverts whose source is our own primary
  /// address (multicast loopback) are ignored.
  Actions advert_received(const PeerAdvert& advert, TimePoint now);

  /// Timer tick: fires whichever of Adver_Timer / Master_Down_Timer is due at
  /// `now`. Early or stale ticks are harmless (no actions).
  Actions timer_tick(TimePoint now);

  /// Tracked checks without weight: `failing` = at least one of them failed
  /// (keepalived: the instance goes FAULT; priority 0 advert if Master).
  Actions check_status(bool failing, TimePoint now);

  /// Outcome of one SendAdvert the actor carried out (`sent` = the kernel took
  /// the packet for every destination). A Master steps down to Fault (VIPs
  /// released) at the second failure in a row, when the first is at least
  /// half an Advertisement_Interval old: by then no advert has gone out for
  /// longer than one interval, and peers will elect another Master, so
  /// keeping the VIP would make two holders. One failed advert is tolerated,
  /// as peers tolerate one lost. In Fault it probes with a priority 0 advert
  /// (RFC 5798 6.4.3: "not Master"; a Master answers it at once) every
  /// Advertisement_Interval; the first that goes out ends the fault (->
  /// Backup when no other fault input remains). Results that arrive in any
  /// other state are ignored.
  Actions advert_send_result(bool sent, TimePoint now);

  /// Carrier state of the VRRP interface. Down -> Fault (no priority 0
  /// advert: the link cannot carry it); up again -> Backup when no other
  /// fault input remains.
  Actions interface_status(bool up, TimePoint now);

  /// New effective priority inputs. A Master advertises the new priority at
  /// once; a Backup's running Master_Down_Timer moves by the change in
  /// Skew_Time (a node that became unfit must not fire with its old skew).
  Actions priority_inputs(const PriorityInputs& inputs, TimePoint now);

  /// Switchover: a Backup takes Master now, without waiting for its
  /// Master_Down_Timer, as if the timer had fired: its first advert (with the priority the
  /// inputs give, 254 for a switchover) makes the current Master yield (RFC 5798 6.4.3).
  /// Ignored outside Backup (no actions).
  Actions take_master(TimePoint now, const std::string& reason);

  /// Holds a Backup's takeover: its Master's adverts are overdue, but the VIP
  /// still leads to the Redis this node replicates from (multicast filtered, or the Master's
  /// redkeep killed while its VIP lives out its lifetime): promoting would split the writes.
  /// While held, an expired Master_Down_Timer is re-armed one Master_Adver_Interval later
  /// instead of taking Master; released, it fires after Skew_Time if it was held (the Backups
  /// notice a release at about the same time: the highest priority goes first). Applies only while a
  /// Master is followed (a priority 0 advert ends that: never held). A deviation from RFC 5798
  /// 6.4.2 between redkeep nodes; it delays no failover where the VIP is gone. Never while
  /// preempting (the Master is heard).
  void hold_takeover(bool hold, TimePoint now);
  bool takeover_held() const { return takeover_held_; }

  // ---- Queries ----

  State state() const { return state_; }
  const ElectionParams& params() const { return params_; }

  /// Advertised priority: kFloorPriority when not eligible, kMaxPriority for a switchover's
  /// target, else configured priority + weight_sum clamped to 1..254.
  std::uint8_t effective_priority() const;

  /// Master_Adver_Interval: own Advertisement_Interval, or for v3 the
  /// interval learned from the current master's adverts.
  Centiseconds master_adver_interval() const { return master_adver_interval_; }

  /// Skew_Time for the effective priority and Master_Adver_Interval.
  Microseconds skew_time() const;
  /// Master_Down_Interval = 3 x Master_Adver_Interval + Skew_Time.
  Microseconds master_down_interval() const;

  /// Who is Master as far as this node knows (see MasterChanged).
  const std::optional<IpAddress>& master_address() const { return master_address_; }
  bool master_is_self() const { return master_is_self_; }
  /// The priority last heard from the Master (0 when none).
  std::uint8_t master_priority() const { return master_priority_; }

  /// The one deadline the actor must arm a timer for: Adver_Timer in Master,
  /// Master_Down_Timer in Backup, the send probe in a Fault caused by adverts
  /// that cannot be sent, none otherwise.
  std::optional<TimePoint> next_deadline() const;

  /// Backup only: when the Master counts as overdue, one and a half
  /// Master_Adver_Interval after its last advert (Master_Down_Timer minus
  /// Master_Down_Interval), so that Redis offsets can be compared before the
  /// timer fires. In the past at once after a priority 0 advert. nullopt in
  /// any other state, and while preempting (the Master is heard, its adverts discarded).
  std::optional<TimePoint> master_overdue_at() const;

  /// Master that has sent at least one advert since it entered Master: only
  /// then does the actor add the VIPs, so a node whose adverts cannot go out
  /// never holds them (nobody would know it does).
  bool advertising() const { return state_ == State::master && sent_as_master_; }

  /// Number of state transitions since construction (restored by restore()).
  std::uint64_t transitions() const { return transitions_; }

  Snapshot snapshot() const;

  /// Resumes from a snapshot without any transition or advert: a restored
  /// Master stays Master (no priority 0, no VIP change), a restored Backup
  /// keeps its Master_Down_Timer. A missing timer in the snapshot is re-armed
  /// from `now`. Returns false (machine unchanged) when the snapshot belongs
  /// to another VRID.
  bool restore(const Snapshot& snapshot, TimePoint now);

 private:
  bool faulted() const { return check_failed_ || interface_down_ || send_failed_; }
  const char* fault_reason() const;
  Actions reevaluate_fault(TimePoint now, const std::string& fault_reason,
                           const std::string& recovery_reason, bool send_priority_zero);
  void become_master(TimePoint now, const std::string& reason, Actions& out);
  void become_backup(TimePoint now, const std::string& reason, Actions& out);
  void leave_master(bool send_priority_zero, Actions& out);
  void change_state(State to, const std::string& reason, Actions& out);
  void set_master(std::optional<IpAddress> master, bool self, Actions& out);
  void arm_master_down_timer(TimePoint now);

  Actions backup_advert(const PeerAdvert& advert, TimePoint now);
  Actions master_advert(const PeerAdvert& advert, TimePoint now);

  ElectionParams params_;
  State state_ = State::initialize;
  std::optional<IpAddress> master_address_;
  bool master_is_self_ = false;
  std::uint8_t master_priority_ = 0;
  Centiseconds master_adver_interval_;
  PriorityInputs inputs_;
  bool check_failed_ = false;
  bool interface_down_ = false;
  bool send_failed_ = false;
  bool sent_as_master_ = false;                   // Master: an advert went out
  std::optional<TimePoint> first_send_failure_;   // Master: of the current run
  std::optional<TimePoint> send_probe_timer_;     // Fault with send_failed_
  std::optional<TimePoint> floor_tie_until_;      // Master: holding a floor tie until then
  bool hold_takeover_ = false;                    // as told by hold_takeover
  bool takeover_held_ = false;                    // Backup: the timer fired into a hold
  bool preempting_ = false;                       // Backup: discarding a lower Master's adverts
  std::optional<TimePoint> adver_timer_;
  std::optional<TimePoint> master_down_timer_;
  std::optional<TimePoint> preempt_time_;
  std::string down_reason_;
  std::uint64_t transitions_ = 0;
};

}  // namespace redkeep::net::vrrp
