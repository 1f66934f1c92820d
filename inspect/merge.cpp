#include "inspect/merge.hpp"

#include <algorithm>

namespace redkeep::inspect {

void NodeMerge::add(Next next) {
  streams_.push_back(Stream{std::move(next), std::nullopt, 0, 0, 0, false});
  advance(streams_.back());
}

void NodeMerge::advance(Stream& s) {
  s.head = s.next();
  if (!s.head) return;
  const Millis ts = s.head->ts.value_or(s.last);
  if (s.started && ts < s.last) {
    if (ts < s.last_stamp) ++stepped_back_;  // the step, not every line until it catches up
    s.last_stamp = ts;
    s.head->stamped = ts;
    s.head->ts = s.last;
  }
  if (!s.head->stamped) s.last_stamp = ts;
  s.order = s.started ? std::max(ts, s.last) : ts;
  s.last = s.order;
  s.started = true;
}

std::optional<LogLine> NodeMerge::next() {
  Stream* first = nullptr;
  for (auto& s : streams_)
    if (s.head && (first == nullptr || s.order < first->order)) first = &s;
  if (first == nullptr) return std::nullopt;
  auto line = std::move(first->head);
  advance(*first);
  return line;
}

}  // namespace redkeep::inspect
