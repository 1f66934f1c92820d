#include "core/roll_call.hpp"

#include <algorithm>
#include <iterator>

namespace redkeep::core {

void RollCall::set_members(const std::set<std::string>& members) {
  members_ = members;
  std::set<std::string> kept;
  std::set_intersection(answered_.begin(), answered_.end(), members_.begin(), members_.end(),
                        std::inserter(kept, kept.end()));
  answered_ = std::move(kept);
}

bool RollCall::answer(const std::string& member) {
  if (members_.count(member) == 0) return false;
  answered_.insert(member);
  if (answered_.size() < members_.size()) return false;
  answered_.clear();
  return true;
}

}  // namespace redkeep::core
