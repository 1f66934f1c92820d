#include "net/vrrp/state_machine.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace redkeep::net::vrrp {

namespace {

constexpr const char* kMasterDownExpired = "master down timer expired";
constexpr const char* kCheckFailed = "health check failed";
constexpr const char* kNeverMaster = "may never be Master (replica-priority 0)";
constexpr const char* kCheckRecovered = "health check recovered";
constexpr const char* kInterfaceDown = "interface down";
constexpr const char* kInterfaceUp = "interface up";
constexpr const char* kSendFailed = "adverts cannot be sent";
constexpr const char* kSendRecovered = "adverts can be sent again";

}  // namespace

const char* to_string(State state) {
  switch (state) {
    case State::initialize:
      return "INIT";
    case State::backup:
      return "BACKUP";
    case State::master:
      return "MASTER";
    case State::fault:
      return "FAULT";
  }
  return "UNKNOWN";
}

StateMachine::StateMachine(ElectionParams params)
    : params_(std::move(params)), master_adver_interval_(params_.advert_interval) {
  if (params_.vrid == 0) throw std::invalid_argument("virtual_router_id must be 1..255");
  if (params_.priority < kFloorPriority || params_.priority > kMaxPriority)
    throw std::invalid_argument("priority must be 1..254 (255 is refused for a floating VIP)");
  if (params_.advert_interval <= Centiseconds::zero())
    throw std::invalid_argument("advert_int must be positive");
  if (params_.initial_state != State::backup && params_.initial_state != State::master)
    throw std::invalid_argument("initial state must be BACKUP or MASTER");
  if (params_.preempt_delay < Microseconds::zero())
    throw std::invalid_argument("preempt_delay must not be negative");
}

std::uint8_t StateMachine::effective_priority() const {
  if (!inputs_.eligible) return kFloorPriority;
  if (inputs_.switchover) return kMaxPriority;
  const int sum = static_cast<int>(params_.priority) + inputs_.weight_sum;
  return static_cast<std::uint8_t>(
      std::clamp(sum, static_cast<int>(kFloorPriority), static_cast<int>(kMaxPriority)));
}

Microseconds StateMachine::skew_time() const {
  return vrrp::skew_time(params_.version, effective_priority(), master_adver_interval_);
}

Microseconds StateMachine::master_down_interval() const {
  return vrrp::master_down_interval(params_.version, effective_priority(),
                                    master_adver_interval_);
}

std::optional<TimePoint> StateMachine::next_deadline() const {
  switch (state_) {
    case State::master:
      return adver_timer_;
    case State::backup:
      return master_down_timer_;
    case State::fault:
      return send_probe_timer_;
    default:
      return std::nullopt;
  }
}

std::optional<TimePoint> StateMachine::master_overdue_at() const {
  // Preempting, the Master is heard: its adverts are discarded, not missing.
  if (state_ != State::backup || !master_down_timer_ || preempting_) return std::nullopt;
  // The timer runs Master_Down_Interval from the last advert (shifted with
  // Skew_Time when the priority changes, as the interval itself is).
  const auto one_and_a_half =
      std::chrono::duration_cast<Microseconds>(master_adver_interval_) * 3 / 2;
  return *master_down_timer_ - master_down_interval() + one_and_a_half;
}

// ---- transitions ----

const char* StateMachine::fault_reason() const {
  if (check_failed_) return kCheckFailed;
  if (interface_down_) return kInterfaceDown;
  return kSendFailed;
}

void StateMachine::change_state(State to, const std::string& reason, Actions& out) {
  out.push_back(StateChanged{state_, to, reason});
  state_ = to;
  takeover_held_ = false;
  preempting_ = false;
  ++transitions_;
}

void StateMachine::set_master(std::optional<IpAddress> master, bool self, Actions& out) {
  if (master == master_address_ && self == master_is_self_) return;
  master_address_ = std::move(master);
  master_is_self_ = self;
  out.push_back(MasterChanged{master_address_, master_is_self_});
}

void StateMachine::arm_master_down_timer(TimePoint now) {
  master_down_timer_ = now + master_down_interval();
  takeover_held_ = false;
  preempting_ = false;
}

void StateMachine::become_master(TimePoint now, const std::string& reason, Actions& out) {
  change_state(State::master, reason, out);
  master_adver_interval_ = params_.advert_interval;
  master_down_timer_.reset();
  preempt_time_.reset();
  sent_as_master_ = false;
  first_send_failure_.reset();
  out.push_back(SendAdvert{effective_priority()});
  adver_timer_ = now + params_.advert_interval;
  out.push_back(AddVips{});
  set_master(params_.primary_address, true, out);
}

Actions StateMachine::take_master(TimePoint now, const std::string& reason) {
  Actions out;
  if (state_ != State::backup || inputs_.never_master) return out;
  become_master(now, reason, out);
  return out;
}

void StateMachine::become_backup(TimePoint now, const std::string& reason, Actions& out) {
  change_state(State::backup, reason, out);
  adver_timer_.reset();
  preempt_time_.reset();
  down_reason_ = kMasterDownExpired;
  arm_master_down_timer(now);
}

void StateMachine::leave_master(bool send_priority_zero, Actions& out) {
  floor_tie_until_.reset();
  // VIP off before anything else: a VIP must never outlive our claim on it.
  out.push_back(RemoveVips{});
  if (send_priority_zero) out.push_back(SendAdvert{0});
  adver_timer_.reset();
}

// ---- events ----

Actions StateMachine::startup(TimePoint now) {
  Actions out;
  if (state_ != State::initialize) return out;
  if (faulted()) {
    change_state(State::fault, fault_reason(), out);
    return out;
  }
  if (params_.initial_state == State::master && !inputs_.never_master) {
    become_master(now, "initial state MASTER", out);
    return out;
  }
  master_adver_interval_ = params_.advert_interval;
  become_backup(now, "startup", out);
  return out;
}

Actions StateMachine::shutdown(TimePoint /*now*/) {
  Actions out;
  if (state_ == State::initialize) return out;
  if (state_ == State::master) leave_master(/*send_priority_zero=*/true, out);
  master_down_timer_.reset();
  preempt_time_.reset();
  send_probe_timer_.reset();
  change_state(State::initialize, "shutdown", out);
  set_master(std::nullopt, false, out);
  return out;
}

Actions StateMachine::advert_received(const PeerAdvert& advert, TimePoint now) {
  if (advert.source == params_.primary_address) return {};
  switch (state_) {
    case State::backup:
      return backup_advert(advert, now);
    case State::master:
      return master_advert(advert, now);
    case State::fault: {
      // Not competing, but keep following the master so Redis knows whom to
      // replicate from, and learn its interval for the return to Backup.
      Actions out;
      if (advert.priority == 0) {
        set_master(std::nullopt, false, out);
      } else {
        if (params_.version == Version::v3 && advert.adver_int > Centiseconds::zero())
          master_adver_interval_ = advert.adver_int;
        master_priority_ = advert.priority;
        set_master(advert.source, false, out);
      }
      return out;
    }
    case State::initialize:
      break;
  }
  return {};
}

// RFC 5798 6.4.2, with keepalived's preempt_delay: the delay starts at the
// first lower-priority advert and is cancelled by an advert of priority >=
// ours; until it ends, lower-priority adverts reset the timer like any other.
Actions StateMachine::backup_advert(const PeerAdvert& advert, TimePoint now) {
  Actions out;
  const std::uint8_t own = effective_priority();
  // A Backup follows one Master. While that Master advertises, another
  // sender (a misconfigured peer, or a forger who knows the password) is
  // followed only if it would beat it (RFC 5798 6.4.3 order: priority, then
  // primary address); else one Backup would flip between two masters,
  // re-pointing Redis each time. A priority 0 from anyone but the Master is
  // ignored likewise. Once the Master is overdue, a weaker sender is the
  // node that took over (RFC 5798 6.4.2 accepts it): ignoring it would let
  // this Backup's own timer fire and promote its Redis for nothing.
  if (master_address_ && !master_is_self_ && advert.source != *master_address_) {
    const bool beats = advert.priority > master_priority_ ||
                       (advert.priority == master_priority_ && advert.source > *master_address_);
    const auto overdue = master_overdue_at();
    if (!beats && !(overdue && now >= *overdue)) return out;
  }
  if (advert.priority == 0) {
    master_down_timer_ = now + skew_time();
    preempting_ = false;
    down_reason_ = "priority 0 advert from " + advert.source.to_string();
    set_master(std::nullopt, false, out);
    return out;
  }
  const bool lower = advert.priority < own;
  const bool delaying = params_.preempt_delay > Microseconds::zero() &&
                        (!preempt_time_ || *preempt_time_ > now);
  master_priority_ = advert.priority;
  if (params_.nopreempt || !lower || delaying) {
    if (params_.version == Version::v3 && advert.adver_int > Centiseconds::zero())
      master_adver_interval_ = advert.adver_int;
    arm_master_down_timer(now);
    down_reason_ = kMasterDownExpired;
    if (params_.preempt_delay > Microseconds::zero()) {
      if (!lower)
        preempt_time_.reset();
      else if (!preempt_time_)
        preempt_time_ = now + params_.preempt_delay;
    }
  } else {
    // Discard: the Master_Down_Timer keeps running and we take over when it
    // expires; our own advert then sends the old master to Backup.
    preempting_ = true;
    down_reason_ = "preempt: own priority " + std::to_string(own) + " > master's " +
                   std::to_string(advert.priority);
  }
  set_master(advert.source, false, out);
  return out;
}

// RFC 5798 6.4.3; keepalived re-advertises at once on a lower priority (or
// equal priority from a lower address) so a rival master yields quickly.
Actions StateMachine::master_advert(const PeerAdvert& advert, TimePoint now) {
  Actions out;
  const std::uint8_t own = effective_priority();
  if (advert.priority == 0) {
    out.push_back(SendAdvert{own});
    adver_timer_ = now + params_.advert_interval;
    return out;
  }
  const bool higher = advert.priority > own;
  bool tie_lost = advert.priority == own && advert.source > params_.primary_address;
  if (tie_lost && inputs_.hold_floor_tie && own == kFloorPriority) {
    if (!floor_tie_until_) floor_tie_until_ = now + params_.advert_interval;
    tie_lost = now >= *floor_tie_until_;
  }
  if (!higher && !tie_lost) {
    out.push_back(SendAdvert{own});
    adver_timer_ = now + params_.advert_interval;
    return out;
  }
  leave_master(/*send_priority_zero=*/false, out);
  if (params_.version == Version::v3 && advert.adver_int > Centiseconds::zero())
    master_adver_interval_ = advert.adver_int;
  master_priority_ = advert.priority;
  const std::string reason =
      higher ? "higher priority " + std::to_string(advert.priority) + " advert from " +
                   advert.source.to_string()
             : "equal priority, higher address " + advert.source.to_string();
  become_backup(now, reason, out);
  set_master(advert.source, false, out);
  return out;
}

Actions StateMachine::timer_tick(TimePoint now) {
  Actions out;
  if (state_ == State::master && adver_timer_ && now >= *adver_timer_) {
    out.push_back(SendAdvert{effective_priority()});
    adver_timer_ = now + params_.advert_interval;
  } else if (state_ == State::backup && master_down_timer_ && now >= *master_down_timer_) {
    if (inputs_.never_master ||
        (hold_takeover_ && master_address_ && !master_is_self_ && !preempting_)) {
      takeover_held_ = true;
      master_down_timer_ = now + std::chrono::duration_cast<Microseconds>(master_adver_interval_);
      return out;
    }
    takeover_held_ = false;
    become_master(now, down_reason_, out);
  } else if (state_ == State::fault && send_probe_timer_ && now >= *send_probe_timer_) {
    out.push_back(SendAdvert{0});
    send_probe_timer_ = now + params_.advert_interval;
  }
  return out;
}

void StateMachine::hold_takeover(bool hold, TimePoint now) {
  hold_takeover_ = hold;
  if (hold || !takeover_held_) return;
  takeover_held_ = false;
  // Skew_Time, as after a priority 0 advert: every Backup notices the release within one watch
  // round of the others, and the highest priority still goes first.
  if (state_ == State::backup && master_down_timer_) master_down_timer_ = now + skew_time();
}

Actions StateMachine::reevaluate_fault(TimePoint now, const std::string& fault_reason,
                                       const std::string& recovery_reason,
                                       bool send_priority_zero) {
  Actions out;
  if (state_ == State::initialize) return out;  // startup() looks at the inputs
  if (faulted() && state_ != State::fault) {
    const bool was_master = state_ == State::master;
    if (was_master) leave_master(send_priority_zero, out);
    master_down_timer_.reset();
    preempt_time_.reset();
    change_state(State::fault, fault_reason, out);
    if (was_master) set_master(std::nullopt, false, out);
  } else if (!faulted() && state_ == State::fault) {
    become_backup(now, recovery_reason, out);
  }
  if (state_ == State::fault && send_failed_) {
    if (!send_probe_timer_) send_probe_timer_ = now + params_.advert_interval;
  } else {
    send_probe_timer_.reset();
  }
  return out;
}

Actions StateMachine::advert_send_result(bool sent, TimePoint now) {
  if (sent) {
    first_send_failure_.reset();
    if (state_ == State::master) sent_as_master_ = true;
    if (!send_failed_) return {};
    send_failed_ = false;
    return reevaluate_fault(now, kSendFailed, kSendRecovered, /*send_priority_zero=*/true);
  }
  if (state_ != State::master) return {};
  if (!first_send_failure_) {
    first_send_failure_ = now;
    return {};
  }
  // Half an interval, not a whole one: the two failures are Adver_Timer ticks one interval
  // apart, and their results may arrive a little less than that apart.
  if (now - *first_send_failure_ < std::chrono::duration_cast<Microseconds>(
                                       params_.advert_interval) / 2)
    return {};
  first_send_failure_.reset();
  send_failed_ = true;
  return reevaluate_fault(now, kSendFailed, kSendRecovered, /*send_priority_zero=*/true);
}

Actions StateMachine::check_status(bool failing, TimePoint now) {
  check_failed_ = failing;
  return reevaluate_fault(now, kCheckFailed, kCheckRecovered, /*send_priority_zero=*/true);
}

Actions StateMachine::interface_status(bool up, TimePoint now) {
  interface_down_ = !up;
  return reevaluate_fault(now, kInterfaceDown, kInterfaceUp, /*send_priority_zero=*/false);
}

Actions StateMachine::priority_inputs(const PriorityInputs& inputs, TimePoint now) {
  Actions out;
  const std::uint8_t before = effective_priority();
  const Microseconds skew_before = skew_time();
  const bool was_never_master = inputs_.never_master;
  inputs_ = inputs;
  if (!inputs_.hold_floor_tie) floor_tie_until_.reset();
  if (state_ == State::master && inputs_.never_master) {
    leave_master(/*send_priority_zero=*/true, out);
    become_backup(now, kNeverMaster, out);
    set_master(std::nullopt, false, out);
    return out;
  }
  // Released: a Backup whose timer was re-armed while it might not take Master fires after
  // Skew_Time, as after a priority 0 advert.
  if (state_ == State::backup && was_never_master && !inputs_.never_master && takeover_held_ &&
      !hold_takeover_) {
    takeover_held_ = false;
    master_down_timer_ = now + skew_time();
  }
  const std::uint8_t after = effective_priority();
  // A running Master_Down_Timer moves by the change in Skew_Time, as if it had
  // been armed with the new priority: a Backup that just found it is not fit
  // to be master must not fire first with its old, shorter skew.
  if (state_ == State::backup && master_down_timer_ && after != before)
    *master_down_timer_ += skew_time() - skew_before;
  if (state_ == State::master && after != before) {
    out.push_back(SendAdvert{after});
    adver_timer_ = now + params_.advert_interval;
  }
  return out;
}

// ---- snapshot ----

Snapshot StateMachine::snapshot() const {
  Snapshot s;
  s.vrid = params_.vrid;
  s.state = state_;
  s.master_address = master_address_;
  s.master_is_self = master_is_self_;
  s.master_priority = master_priority_;
  s.master_adver_interval = master_adver_interval_;
  s.priority_inputs = inputs_;
  s.check_failed = check_failed_;
  s.interface_down = interface_down_;
  s.send_failed = send_failed_;
  s.adver_timer = adver_timer_;
  s.master_down_timer = master_down_timer_;
  s.preempt_time = preempt_time_;
  s.down_reason = down_reason_;
  s.transitions = transitions_;
  return s;
}

bool StateMachine::restore(const Snapshot& s, TimePoint now) {
  if (s.vrid != params_.vrid) return false;
  state_ = s.state;
  master_address_ = s.master_address;
  master_is_self_ = s.master_is_self;
  master_priority_ = s.master_priority;
  // Only a v3 Backup learns its Master's interval; a Master, and any v2 router, use their own
  // (which a reload may have changed since the snapshot).
  const bool learned = params_.version == Version::v3 && s.state != State::master;
  master_adver_interval_ = learned && s.master_adver_interval > Centiseconds::zero()
                               ? s.master_adver_interval
                               : params_.advert_interval;
  inputs_ = s.priority_inputs;
  check_failed_ = s.check_failed;
  interface_down_ = s.interface_down;
  send_failed_ = s.send_failed;
  sent_as_master_ = false;
  first_send_failure_.reset();
  send_probe_timer_.reset();
  adver_timer_ = s.adver_timer;
  master_down_timer_ = s.master_down_timer;
  preempt_time_ = s.preempt_time;
  down_reason_ = s.down_reason.empty() ? kMasterDownExpired : s.down_reason;
  transitions_ = s.transitions;
  if (state_ == State::master) {
    // A master whose own primary address changed in the new config is still us.
    master_address_ = params_.primary_address;
    master_is_self_ = true;
    if (!adver_timer_) adver_timer_ = now;
    master_down_timer_.reset();
  } else if (state_ == State::backup) {
    if (!master_down_timer_) arm_master_down_timer(now);
    adver_timer_.reset();
  } else {
    adver_timer_.reset();
    master_down_timer_.reset();
    if (state_ == State::fault && send_failed_) send_probe_timer_ = now;
  }
  return true;
}

}  // namespace redkeep::net::vrrp
