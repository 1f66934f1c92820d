#pragma once
// "Has everyone answered?": the daemon is ready for its service manager once every instance
// has reached its first VRRP state, and alive once every election loop has run since the last
// watchdog ping. Pure: the caller locks and sends.

#include <set>
#include <string>

namespace redkeep::core {

/// A round of answers from a known set of members (instance names).
class RollCall {
 public:
  /// Sets who must answer. Answers from members kept stay; a round with no member is never
  /// complete.
  void set_members(const std::set<std::string>& members);

  /// Records `member`'s answer (ignored when not a member). True when it completes the round:
  /// every member answered since the round began; a new round then begins.
  bool answer(const std::string& member);

  const std::set<std::string>& members() const { return members_; }

 private:
  std::set<std::string> members_;
  std::set<std::string> answered_;
};

}  // namespace redkeep::core
