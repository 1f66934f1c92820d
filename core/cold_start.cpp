#include "core/cold_start.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace redkeep::core {

const char* to_string(ColdStartState state) {
  switch (state) {
    case ColdStartState::off: return "off";
    case ColdStartState::waiting: return "waiting";
    case ColdStartState::newest: return "newest";
    case ColdStartState::behind: return "behind";
    case ColdStartState::diverged: return "diverged";
  }
  return "off";
}

std::size_t default_cold_start_quorum(std::size_t members_known) {
  return (members_known + 1) / 2 + 1;
}

ColdStartVerdict judge_cold_start(bool loaded_data, std::optional<unsigned> quorum_setting,
                                  std::size_t members_known,
                                  const std::vector<MemberData>& compared,
                                  const std::vector<std::string>& missing, bool overridden) {
  ColdStartVerdict v;
  v.quorum = quorum_setting ? *quorum_setting : default_cold_start_quorum(members_known);
  if (!loaded_data || overridden || v.quorum <= 1) return v;
  for (const auto& m : compared) v.compared.push_back(m.member);
  v.missing = missing;
  const auto find = [&](redis::DataOrder order) {
    return std::find_if(compared.begin(), compared.end(),
                        [order](const MemberData& m) { return m.order == order; });
  };
  if (1 + compared.size() < v.quorum) {
    v.state = ColdStartState::waiting;
  } else if (auto newer = find(redis::DataOrder::theirs_newer); newer != compared.end()) {
    v.state = ColdStartState::behind;
    v.decided_by = newer->member;
    v.detail = newer->member + " holds newer data (" + newer->detail + ")";
  } else if (auto other = find(redis::DataOrder::diverged); other != compared.end()) {
    v.state = ColdStartState::diverged;
    v.decided_by = other->member;
    v.detail = "this node and " + other->member + " (" + other->detail +
               ") each hold writes the other lacks";
  } else {
    v.state = ColdStartState::newest;
  }
  return v;
}

std::string describe(const ColdStartVerdict& v) {
  const auto list = [](const std::vector<std::string>& m) {
    return m.empty() ? std::string("none") : fmt::format("{}", fmt::join(m, ", "));
  };
  switch (v.state) {
    case ColdStartState::off: return "";
    case ColdStartState::waiting:
      return fmt::format(
          "cold start: its Redis restarted with data; waiting to compare it with "
          "cold_start_quorum {} members, this node included (compared: {}; not reached: {})",
          v.quorum, list(v.compared), list(v.missing));
    case ColdStartState::newest:
      return fmt::format("cold start: no member holds newer data (compared: {})",
                         list(v.compared));
    case ColdStartState::behind:
    case ColdStartState::diverged: return "cold start: " + v.detail;
  }
  return "";
}

}  // namespace redkeep::core
