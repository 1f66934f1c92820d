// Log inspection: the nodes' lines merged by time, each node's own order kept, and the spools
// that keep each node's lines apart whatever the input interleaves.
#include "inspect/merge.hpp"

#include <catch2/catch.hpp>
#include <deque>

#include "inspect/spool.hpp"

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

/// A stream over `lines`, in their order.
NodeMerge::Next stream(std::deque<LogLine> lines) {
  auto q = std::make_shared<std::deque<LogLine>>(std::move(lines));
  return [q]() -> std::optional<LogLine> {
    if (q->empty()) return std::nullopt;
    auto l = std::move(q->front());
    q->pop_front();
    return l;
  };
}

std::vector<std::string> texts(NodeMerge& m) {
  std::vector<std::string> out;
  while (auto l = m.next()) out.push_back(l->text);
  return out;
}

}  // namespace

TEST_CASE("NodeMerge: the nodes' lines come out in time order", "[inspect]") {
  NodeMerge m;
  m.add(stream({at("n1", 100, "a"), at("n1", 300, "c"), at("n1", 500, "e")}));
  m.add(stream({at("n2", 200, "b"), at("n2", 400, "d")}));
  m.add(stream({}));
  CHECK(texts(m) == std::vector<std::string>{"a", "b", "c", "d", "e"});
  CHECK(m.stepped_back() == 0);
}

TEST_CASE("NodeMerge: a node's clock stepping back keeps its lines in their order", "[inspect]") {
  NodeMerge m;
  // n1's clock steps back 250 ms between b and c: c stays after b, at b's time.
  m.add(stream({at("n1", 100, "a"), at("n1", 400, "b"), at("n1", 150, "c"), at("n1", 600, "e")}));
  m.add(stream({at("n2", 300, "x"), at("n2", 500, "y")}));
  CHECK(texts(m) == std::vector<std::string>{"a", "x", "b", "c", "y", "e"});
  CHECK(m.stepped_back() == 1);  // the step, not each line until the clock caught up
}

TEST_CASE("Spool: a node's lines come back as they went in", "[inspect]") {
  Spools spools;
  auto l = at("n1", 1796108400123, "Entering MASTER state (x, priority 100)");
  l.ts_has_offset = true;
  l.level = "info";
  l.instance = "HARedis";
  l.event = "state_change";
  l.fields = {{"to", "MASTER"}, {"cause", std::string("x\0y", 3)}};
  CHECK(spools.keep(l, 0));
  CHECK(spools.keep(at("n2", 5, "other node"), 0));
  CHECK(spools.keep(at("n1", 7, ""), 0));
  const auto all = spools.all();
  REQUIRE(all.size() == 2);
  const auto back = all[0]->read();
  REQUIRE(back);
  CHECK(back->ts == l.ts);
  CHECK(back->ts_has_offset);
  CHECK(back->node == "n1");
  CHECK(back->level == "info");
  CHECK(back->instance == "HARedis");
  CHECK(back->event == "state_change");
  CHECK(back->text == l.text);
  CHECK(back->fields == l.fields);
  CHECK(all[0]->read()->ts == 7);
  CHECK_FALSE(all[0]->read());
  CHECK(all[1]->read()->text == "other node");
}

TEST_CASE("Spools: at most kMaxNodes nodes are kept apart", "[inspect]") {
  Spools spools;
  for (std::size_t i = 0; i < kMaxNodes; ++i)
    CHECK(spools.keep(at(("n" + std::to_string(i)).c_str(), 1, "x"), 0));
  CHECK_FALSE(spools.keep(at("one too many", 1, "x"), 0));
  CHECK(spools.keep(at("n0", 2, "a known node still is"), 0));
}

TEST_CASE("Spools: a node's lines from two files are two streams, merged by time", "[inspect]") {
  // A rotated log given newest first (n1.log n1.log.1): no clock step, the right order.
  Spools spools;
  CHECK(spools.keep(at("n1", 300, "newer"), 0));
  CHECK(spools.keep(at("n1", 100, "older"), 1));
  CHECK(spools.keep(at("n2", 200, "other"), 2));
  NodeMerge m;
  for (auto* s : spools.all()) m.add([s] { return s->read(); });
  CHECK(texts(m) == std::vector<std::string>{"older", "other", "newer"});
  CHECK(m.stepped_back() == 0);
}

TEST_CASE("NodeMerge: lines of equal time come out the same way whatever the file order",
          "[inspect]") {
  for (int order = 0; order < 2; ++order) {
    Spools spools;
    // The files in either order: n2's file first, or n1's.
    CHECK(spools.keep(at(order == 0 ? "n2" : "n1", 100, order == 0 ? "b" : "a"), 0));
    CHECK(spools.keep(at(order == 0 ? "n1" : "n2", 100, order == 0 ? "a" : "b"), 1));
    NodeMerge m;
    for (auto* s : spools.all()) m.add([s] { return s->read(); });
    CHECK(texts(m) == std::vector<std::string>{"a", "b"});  // by node name
  }
}
