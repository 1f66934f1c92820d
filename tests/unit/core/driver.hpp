#pragma once
// Runs one core::Instance on a virtual clock, as the election actor would: commands that answer
// themselves (RecheckLater, and by default VipCommand / RoleCommand / AdvertOut, as working
// vip, redis_role and advert_io actors would) come back as events in mailbox order, and timers
// fire when advance() moves the clock past them. Every command is recorded.
#include <chrono>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "core/instance.hpp"

namespace redkeep::test {

using namespace std::chrono_literals;

/// A vrrp_instance as the recipe configures one: VRID 51, advert_int 1 s (VRRPv2), one VIP,
/// a redis block on port 6379.
inline config::VrrpInstance recipe_instance(std::uint8_t priority, bool master = false) {
  config::VrrpInstance in;
  in.name = "VI_1";
  in.interface = "eth0";
  in.virtual_router_id = 51;
  in.priority = priority;
  in.advert_int_cs = 100;
  in.state = master ? config::InitialState::master : config::InitialState::backup;
  in.virtual_ipaddress = {{*net::IpAddress::parse("192.0.2.100"), 24}};
  in.redis = config::RedisSettings{};
  return in;
}

inline net::IpAddress ip(const char* text) { return *net::IpAddress::parse(text); }

class CoreDriver {
 public:
  explicit CoreDriver(config::VrrpInstance config, const char* primary = "192.0.2.11")
      : core_(std::move(config), ip(primary)) {}

  core::TimePoint now = core::TimePoint{} + 1000s;
  bool answer_vip = true;     ///< VipCommand -> VipDone ok
  bool answer_role = true;    ///< RoleCommand -> RoleDone ok
  bool adverts_leave = true;  ///< AdvertOut -> AdvertSent{adverts_leave}

  /// Takes `event` now, and everything it sets off at once.
  void feed(core::Event event) { drain(std::deque<core::Event>{std::move(event)}); }

  /// Resumes from `snapshot` (a restarted election), as the election actor does at spawn.
  void resume(const core::Snapshot& snapshot) {
    std::deque<core::Event> queue;
    for (auto& c : core_.resume(snapshot, now)) follow(c, queue);
    drain(std::move(queue));
  }

  /// Moves the clock by `d`, firing every timer that falls due in order.
  void advance(std::chrono::microseconds d) {
    const auto end = now + d;
    for (int n = 0; n < 100'000; ++n) {
      auto next = next_due();
      if (!next || next->first > end) break;
      now = std::max(now, next->first);
      feed(take(next->second));
    }
    now = end;
  }

  /// Moves the clock by `d` with this process stalled: no timer fires (SIGSTOP, a frozen VM).
  void stall(std::chrono::microseconds d) { now += d; }

  /// A Redis report (healthy unless said otherwise).
  void report(core::RedisHealth h) { feed(h); }

  /// An advert of `priority` from `source`, interval 1 s.
  void hear(const char* source, std::uint8_t priority) {
    feed(core::AdvertIn{{ip(source), priority, net::vrrp::Centiseconds(100)}});
  }

  const core::Instance& core() const { return core_; }
  net::vrrp::State state() const { return core_.machine().state(); }
  std::uint8_t priority() const { return core_.machine().effective_priority(); }

  /// Every command so far, in order; clear() forgets them.
  const std::vector<core::Command>& commands() const { return commands_; }
  void clear() { commands_.clear(); }

  template <class T>
  std::vector<T> all() const {
    std::vector<T> out;
    for (const auto& c : commands_)
      if (const auto* t = std::get_if<T>(&c)) out.push_back(*t);
    return out;
  }
  /// Index of the first command of type T matching `pred` (-1: none).
  template <class T, class Pred>
  int index_of(Pred pred) const {
    for (std::size_t i = 0; i < commands_.size(); ++i)
      if (const auto* t = std::get_if<T>(&commands_[i]); t && pred(*t)) return static_cast<int>(i);
    return -1;
  }
  std::vector<std::string> logs(core::LogKind kind) const {
    std::vector<std::string> out;
    for (const auto& l : all<core::LogEvent>())
      if (l.kind == kind) out.push_back(l.text);
    return out;
  }
  std::vector<std::uint8_t> adverts() const {
    std::vector<std::uint8_t> out;
    for (const auto& a : all<core::AdvertOut>()) out.push_back(a.priority);
    return out;
  }
  std::optional<core::RoleCommand> last_role() const {
    auto r = all<core::RoleCommand>();
    if (r.empty()) return std::nullopt;
    return r.back();
  }
  bool stop_done() const { return !all<core::StopDone>().empty(); }

 private:
  void drain(std::deque<core::Event> queue) {
    for (int n = 0; !queue.empty(); ++n) {
      if (n > 10'000) throw std::runtime_error("core driver: events never settle");
      auto e = std::move(queue.front());
      queue.pop_front();
      for (auto& c : core_.handle(e, now)) follow(c, queue);
    }
  }

  enum class Timer { tick, overdue, stop_wait };

  /// The earliest armed timer.
  std::optional<std::pair<core::TimePoint, Timer>> next_due() const {
    std::optional<std::pair<core::TimePoint, Timer>> best;
    auto consider = [&](const std::optional<core::TimePoint>& at, Timer t) {
      if (at && (!best || *at < best->first)) best.emplace(*at, t);
    };
    if (timer_) consider(timer_->deadline, Timer::tick);
    consider(overdue_at_, Timer::overdue);
    consider(stop_wait_at_, Timer::stop_wait);
    return best;
  }

  /// Disarms timer `t` (it fires once) and returns its event.
  core::Event take(Timer t) {
    switch (t) {
      case Timer::tick: {
        const auto generation = timer_->generation;
        timer_.reset();
        return core::TimerFired{generation};
      }
      case Timer::overdue:
        overdue_at_.reset();
        return core::OverdueDue{};
      case Timer::stop_wait:
        break;
    }
    stop_wait_at_.reset();
    return core::StopWaitOver{};
  }

  void follow(const core::Command& c, std::deque<core::Event>& queue) {
    commands_.push_back(c);
    if (std::holds_alternative<core::RecheckLater>(c)) {
      queue.push_back(core::Recheck{});
    } else if (const auto* v = std::get_if<core::VipCommand>(&c); v && answer_vip) {
      queue.push_back(core::VipDone{v->generation, v->up, true, ""});
    } else if (const auto* r = std::get_if<core::RoleCommand>(&c); r && answer_role) {
      queue.push_back(core::RoleDone{r->generation, true, "ROLE confirms", false});
    } else if (std::holds_alternative<core::AdvertOut>(c)) {
      queue.push_back(core::AdvertSent{adverts_leave});
    } else if (const auto* t = std::get_if<core::ArmTimer>(&c)) {
      timer_ = *t;
    } else if (const auto* o = std::get_if<core::ArmOverdue>(&c)) {
      overdue_at_ = o->at;
    } else if (const auto* w = std::get_if<core::ArmStopWait>(&c)) {
      stop_wait_at_ = now + w->wait;
    }
  }

  core::Instance core_;
  std::vector<core::Command> commands_;
  std::optional<core::ArmTimer> timer_;
  std::optional<core::TimePoint> overdue_at_;
  std::optional<core::TimePoint> stop_wait_at_;
};

}  // namespace redkeep::test
