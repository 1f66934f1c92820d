#include "core/tracked_scripts.hpp"

namespace redkeep::core {

ScriptCounter::ScriptCounter(unsigned rise, unsigned fall, bool init_fail)
    : rise_(static_cast<int>(rise)),
      fall_(static_cast<int>(fall)),
      result_(init_fail ? 0 : static_cast<int>(rise) - 1),
      known_(init_fail) {}

bool ScriptCounter::record(bool success) {
  const auto before = good();
  if (success) {
    result_ = result_ < rise_ - 1 ? result_ + 1 : rise_ + fall_ - 1;
  } else {
    result_ = result_ > rise_ ? result_ - 1 : 0;
  }
  // Out of the unknown start, the first run decides (keepalived: "init" state): a failure
  // there fails the script even though the counter only went from rise - 1 to 0.
  known_ = true;
  return good() != before;
}

TrackedScripts::TrackedScripts(std::vector<config::TrackedScript> scripts)
    : scripts_(std::move(scripts)), details_(scripts_.size()) {
  for (const auto& t : scripts_)
    counters_.emplace_back(t.script.rise, t.script.fall, t.script.init_fail);
}

bool TrackedScripts::record(std::size_t index, bool success, const std::string& detail) {
  if (index >= scripts_.size()) return false;
  details_[index] = detail;
  return counters_[index].record(success);
}

void TrackedScripts::carry_over(const TrackedScripts& before) {
  for (std::size_t i = 0; i < scripts_.size(); ++i) {
    const auto& now = scripts_[i].script;
    for (std::size_t j = 0; j < before.scripts_.size(); ++j) {
      const auto& then = before.scripts_[j].script;
      if (then.name != now.name || then.script != now.script || then.rise != now.rise ||
          then.fall != now.fall || then.init_fail != now.init_fail)
        continue;
      counters_[i] = before.counters_[j];
      details_[i] = before.details_[j];
    }
  }
}

ScriptVerdict TrackedScripts::verdict() const {
  ScriptVerdict v;
  for (std::size_t i = 0; i < scripts_.size(); ++i) {
    const auto& t = scripts_[i];
    const auto good = counters_[i].good();
    if (t.weight == 0) {
      if (!good) {
        if (v.waiting.empty()) v.waiting = t.script.name;
      } else if (*good == t.weight_reverse && v.fault.empty()) {
        v.fault = "script " + t.script.name + (t.weight_reverse ? " succeeded" : " failed") +
                  (details_[i].empty() ? "" : " (" + details_[i] + ")") +
                  (t.weight_reverse ? " (weight 0 reverse)" : "");
      }
      continue;
    }
    if (!good) continue;
    const int signed_weight = t.weight_reverse ? -t.weight : t.weight;
    if ((*good && t.weight > 0) || (!*good && t.weight < 0)) v.weight_sum += signed_weight;
  }
  return v;
}

}  // namespace redkeep::core
