#pragma once
// When a Backup holds its takeover (docs/data-safety.md, "A Backup holds its takeover"): its
// Master's adverts are overdue, a Redis check found the VIP leading to a master Redis of this
// node's history that a live redkeep watches, and the VIP watch (member_probe) still reaches
// it. Pure: core::Instance feeds observations and carries out the commands that come back
// (start or stop the VIP watch, StateMachine::hold_takeover).

#include <optional>
#include <string>

#include "redis/client_list.hpp"
#include "redis/info.hpp"

namespace redkeep::core {

/// What the Redis behind the VIP says, asked while the Master's adverts are overdue.
struct VipVerdict {
  bool serves_our_history = false;  ///< master, our history, watched by a live redkeep
  std::string detail;               ///< for the log
};

/// Judges the VIP's Redis: a master whose replication id is `our_replid` (or whose previous id
/// is: a fellow replica promoted meanwhile), with a redkeep health connection among
/// `clients` (nullopt: CLIENT LIST refused, e.g. by an ACL: not watched as far as we know).
/// `where` ("192.0.2.100:6379") starts the detail.
VipVerdict judge_vip(const redis::ReplicationInfo& at_vip,
                     const std::optional<std::vector<redis::ClientEntry>>& clients,
                     const std::string& our_replid, const std::string& where);

/// The hold's state across observations. After each observation, commands() says what
/// changed.
class TakeoverHold {
 public:
  /// What the caller must do now (nullopt: nothing changed).
  struct Commands {
    std::optional<bool> watch;  ///< start (true) or stop (false) watching the VIP
    std::optional<bool> hold;   ///< StateMachine::hold_takeover(value)
  };

  /// The Master's adverts became overdue (true) or were heard again (false).
  void master_overdue(bool overdue);
  /// A Redis report: the VIP verdict of that check (nullopt: not asked or no answer). Counts
  /// only while overdue; anything but a confirmation ends the hold (plain VRRP).
  void report(std::optional<bool> serves_our_history);
  /// The VIP watch reached the VIP (true) or stopped reaching it.
  void watch_result(bool reached);
  /// The watcher restarted (member_probe): it must be told to watch again.
  void watcher_restarted() { watching_ = false; }

  /// The commands that bring the watch and the hold in line with the observations.
  Commands commands();
  /// The takeover is held (as last commanded).
  bool held() const { return held_; }
  /// The VIP is watched (as last commanded).
  bool watching() const { return watching_; }
  /// Why a hold ended, for the log.
  const char* release_reason() const;

 private:
  bool overdue_ = false;
  bool serves_ = false;    // confirmed by the latest report of this overdue spell
  bool watching_ = false;  // as last commanded
  bool reached_ = false;   // the watch's latest result
  bool held_ = false;      // as last commanded
};

}  // namespace redkeep::core
