#include "inspect/merge.hpp"

#include <algorithm>

namespace redkeep::inspect {

std::vector<Merged> Merger::push(LogLine line) {
  if (!line.ts) return {};
  const auto prev = last_of_node_.find(line.node);
  const Millis at = prev == last_of_node_.end() ? *line.ts : std::max(*line.ts, prev->second);
  last_of_node_[line.node] = at;
  std::vector<Merged> out;
  if (started_ && at < released_) {
    // Too late for its place: passed on now, marked.
    ++out_of_order_;
    out.push_back({std::move(line), true});
    return out;
  }
  held_.emplace(at, std::move(line));
  newest_ = started_ ? std::max(newest_, at) : at;
  started_ = true;
  return release(newest_ - window_);
}

std::vector<Merged> Merger::finish() { return release(newest_); }

std::vector<Merged> Merger::release(Millis up_to) {
  std::vector<Merged> out;
  while (!held_.empty() && held_.begin()->first <= up_to) {
    released_ = std::max(released_, held_.begin()->first);
    out.push_back({std::move(held_.begin()->second), false});
    held_.erase(held_.begin());
  }
  return out;
}

}  // namespace redkeep::inspect
