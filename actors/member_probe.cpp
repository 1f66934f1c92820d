#include "actors/member_probe.hpp"

#include <algorithm>
#include <memory>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "actors/crash_reason.hpp"
#include "actors/messages.hpp"
#include "actors/poll_thread.hpp"
#include "core/params.hpp"

namespace redkeep::actors {

namespace {

using Clock = std::chrono::steady_clock;

/// What the actor hands the probe thread, which waits on `wake` between rounds.
struct ProbeInbox {
  std::mutex mutex;
  std::condition_variable wake;
  std::optional<std::vector<net::RedisEndpoint>> members;  // new set, taken by the thread
  bool probe_now = false;
  bool stop = false;  // the actor is gone

  /// Changes the inbox under its mutex, then wakes the thread.
  template <class F>
  void post(F change) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      change(*this);
    }
    wake.notify_one();
  }
};

/// A held takeover ends as soon as the VIP stops answering. Every Backup watches
/// at this cadence, so the one that notices first is at most one round ahead: with Skew_Time
/// after the release, the highest priority still takes over first when Skew_Time gaps exceed
/// a round (100 ms at advert_int 1). Never under 50 ms: a busy Redis's kernel may delay its
/// acknowledgement by 40 ms (TCP delayed ACK).
std::chrono::milliseconds vip_watch_round(std::chrono::milliseconds interval) {
  return std::clamp(interval / 10, std::chrono::milliseconds(50), std::chrono::milliseconds(100));
}

/// Watches `vip` until stopped: VipReached whenever the verdict changes, the first at once,
/// with the watch's `generation` (a verdict of an older watch may still come in).
void vip_watch_loop(member_probe_actor me, std::chrono::milliseconds interval,
                    net::RedisEndpoint vip, std::uint64_t generation,
                    const std::atomic<bool>& stop) {
  const auto round = vip_watch_round(interval);
  net::MemberProber prober(/*refused_is_reached=*/false);
  prober.set_members({vip});
  std::optional<bool> told;
  while (!stop) {
    const auto started = Clock::now();
    const bool reached = prober.round(round) > 0;
    if (stop) return;
    if (told != reached) caf::anon_send(me, VipReached{reached}, generation);
    told = reached;
    std::this_thread::sleep_until(started + round);
  }
}

void probe_loop(member_probe_actor me, std::chrono::milliseconds interval,
                std::shared_ptr<ProbeInbox> inbox, const std::atomic<bool>& stop) {
  // The verdict must be in before the Master_Down_Timer fires, with VRRPv3 at 0.1 s too:
  // half an interval, never more than 250 ms.
  const auto timeout = std::min(interval / 2, std::chrono::milliseconds(250));
  net::MemberProber prober;
  auto next = Clock::now();
  while (!stop) {
    {
      std::unique_lock<std::mutex> lock(inbox->mutex);
      inbox->wake.wait_until(lock, next, [&] {
        return inbox->stop || inbox->probe_now || inbox->members.has_value();
      });
      if (inbox->stop) return;
      if (inbox->members) prober.set_members(std::move(*inbox->members));
      inbox->members.reset();
      if (!std::exchange(inbox->probe_now, false) && Clock::now() < next) continue;
    }
    const auto started = Clock::now();
    next = started + interval;
    if (prober.members().empty()) continue;
    const std::size_t members = prober.members().size();
    // Any reply is the verdict a Backup waits for: sent at once, not after the slowest member.
    const std::size_t answered = prober.round(timeout, [&] {
      caf::anon_send(me, ProbeRound{started, members, 1});
    });
    if (answered == 0) caf::anon_send(me, ProbeRound{started, members, 0});
  }
}

struct MemberProbeState {
  Wiring wiring;
  std::chrono::milliseconds interval{};
  std::shared_ptr<ProbeInbox> inbox = std::make_shared<ProbeInbox>();
  std::unique_ptr<PollThread> thread;
  std::unique_ptr<PollThread> vip_thread;  // only while a takeover is held
  std::uint64_t vip_generation = 0;        // of the latest VipWatch
  ~MemberProbeState() {
    inbox->post([](ProbeInbox& in) { in.stop = true; });
  }
  static inline const char* name = "member_probe";
};

using Self = member_probe_actor::stateful_base<MemberProbeState>;

member_probe_actor::behavior_type member_probe(Self* self, InstanceContext ctx) {
  self->set_exception_handler(crash_handler("member_probe" + ctx.tag()));
  auto me = caf::actor_cast<member_probe_actor>(self);
  const auto interval =
      std::chrono::duration_cast<std::chrono::milliseconds>(core::advert_interval(ctx.instance));
  self->state.interval = interval;
  self->state.thread = std::make_unique<PollThread>(
      "rk-probe",
      [me, interval, inbox = self->state.inbox](const std::atomic<bool>& stop) {
        probe_loop(me, interval, inbox, stop);
      },
      PollThread::Ending::release);
  return {
      [self](const Wiring& w) { self->state.wiring = w; },
      [self](const Members& m) {
        self->state.inbox->post([&m](ProbeInbox& in) { in.members = m.endpoints; });
      },
      [self](check_atom) {
        self->state.inbox->post([](ProbeInbox& in) { in.probe_now = true; });
      },
      [self](const VipWatch& w) {
        auto& st = self->state;
        st.vip_thread.reset();
        const auto generation = ++st.vip_generation;
        if (!w.vip) return;
        auto me = caf::actor_cast<member_probe_actor>(self);
        st.vip_thread = std::make_unique<PollThread>(
            "rk-vip-watch",
            [me, interval = st.interval, vip = *w.vip, generation](const std::atomic<bool>& stop) {
              vip_watch_loop(me, interval, vip, generation, stop);
            },
            PollThread::Ending::release);
      },
      [self](const VipReached& r, std::uint64_t generation) {
        auto& st = self->state;
        if (generation != st.vip_generation) return;  // an older watch's last word
        if (st.wiring.election) self->send(st.wiring.election, r);
      },
      [self](const ProbeRound& r) {
        if (self->state.wiring.election) self->send(self->state.wiring.election, r);
      },
      [self](crash_atom) -> caf::result<void> {
        throw std::runtime_error("crash requested by test hook");
      },
  };
}

}  // namespace

caf::actor spawn_member_probe(caf::local_actor* parent, const InstanceContext& ctx) {
  // On the scheduler: the rounds block on threads of their own, which it never waits for.
  return caf::actor_cast<caf::actor>(parent->spawn(member_probe, ctx));
}

}  // namespace redkeep::actors
