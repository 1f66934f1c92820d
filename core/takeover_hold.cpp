#include "core/takeover_hold.hpp"

namespace redkeep::core {

VipVerdict judge_vip(const redis::ReplicationInfo& at_vip,
                     const std::optional<std::vector<redis::ClientEntry>>& clients,
                     const std::string& our_replid, const std::string& where) {
  const bool watched = clients && redis::watched_by_redkeep(*clients);
  const bool ours = !our_replid.empty() &&
                    (at_vip.master_replid == our_replid || at_vip.master_replid2 == our_replid);
  VipVerdict v;
  v.serves_our_history = at_vip.role == redis::InfoRole::master && ours && watched;
  v.detail = where + " answers as " + redis::to_string(at_vip.role) + " of history " +
             at_vip.master_replid.substr(0, 8) + " at offset " +
             std::to_string(at_vip.master_repl_offset.value_or(-1)) +
             (watched ? ", watched by its redkeep" : ", no redkeep watching it");
  return v;
}

void TakeoverHold::master_overdue(bool overdue) {
  overdue_ = overdue;
  if (!overdue) serves_ = false;
}

void TakeoverHold::report(std::optional<bool> serves_our_history) {
  if (overdue_) serves_ = serves_our_history.value_or(false);
}

void TakeoverHold::watch_result(bool reached) {
  if (watching_) reached_ = reached;
}

TakeoverHold::Commands TakeoverHold::commands() {
  Commands c;
  if (serves_ != watching_) {
    watching_ = serves_;
    reached_ = serves_;  // the report that confirmed it just reached it
    c.watch = watching_;
  }
  const bool hold = serves_ && reached_;
  if (hold != held_) {
    held_ = hold;
    c.hold = hold;
  }
  return c;
}

const char* TakeoverHold::release_reason() const {
  if (!overdue_) return "the Master is heard again";
  if (serves_) return "the VIP no longer answers";
  return "the VIP no longer leads to a master Redis of this history that a redkeep watches";
}

}  // namespace redkeep::core
