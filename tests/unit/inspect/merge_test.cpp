// Log inspection (issue 18.3): merging the lines of several nodes by time, within a bounded
// reorder window, a node's own order kept.
#include "inspect/merge.hpp"

#include <catch2/catch.hpp>

using namespace redkeep::inspect;

namespace {

LogLine at(const char* node, Millis ts, const char* text) {
  LogLine l;
  l.kind = LineKind::event;
  l.node = node;
  l.ts = ts;
  l.text = text;
  return l;
}

std::vector<std::string> texts(const std::vector<Merged>& lines) {
  std::vector<std::string> out;
  for (const auto& m : lines) out.push_back(m.line.text + (m.out_of_order ? "!" : ""));
  return out;
}

std::vector<Merged> all(Merger& m, std::vector<LogLine> lines) {
  std::vector<Merged> out;
  for (auto& l : lines)
    for (auto& r : m.push(std::move(l))) out.push_back(std::move(r));
  for (auto& r : m.finish()) out.push_back(std::move(r));
  return out;
}

}  // namespace

TEST_CASE("Merger: interleaved nodes come out in time order within the window", "[inspect]") {
  Merger m(1000);
  const auto out = all(m, {at("n1", 100, "a"), at("n2", 50, "b"), at("n1", 900, "c"),
                           at("n3", 300, "d"), at("n2", 2000, "e")});
  CHECK(texts(out) == std::vector<std::string>{"b", "a", "d", "c", "e"});
  CHECK(m.out_of_order() == 0);
}

TEST_CASE("Merger: a line later than the window is passed on at once and marked", "[inspect]") {
  Merger m(500);
  const auto out = all(m, {at("n1", 1000, "a"), at("n1", 2000, "b"), at("n2", 100, "late")});
  CHECK(texts(out) == std::vector<std::string>{"a", "late!", "b"});
  CHECK(m.out_of_order() == 1);
}

TEST_CASE("Merger: a node's own lines keep their order when its clock steps back", "[inspect]") {
  Merger m(10'000);
  const auto out = all(m, {at("n1", 5000, "first"), at("n1", 1000, "second"), at("n2", 3000, "x")});
  CHECK(texts(out) == std::vector<std::string>{"x", "first", "second"});
}

TEST_CASE("Merger: lines without a time are not merged, memory stays bounded by the window",
          "[inspect]") {
  Merger m(100);
  LogLine untimed;
  CHECK(m.push(untimed).empty());
  std::size_t released = 0;
  for (Millis t = 0; t < 100'000; t += 10) released += m.push(at("n1", t, "x")).size();
  // At most window/step lines are held at any time.
  CHECK(released >= 100'000 / 10 - 11);
  CHECK(m.finish().size() <= 11);
}
