#include "redis/member_compare.hpp"

#include "redis/operations.hpp"

namespace redkeep::redis {

MemberComparison compare_with_member(Connection& own, const InfoSections& mine,
                                     const std::string& host, int port,
                                     std::chrono::milliseconds timeout,
                                     const Access& access) {
  auto c = Connection::open(host, port, timeout, timeout, access, "redkeep-peer");
  if (!c) return {std::nullopt, "", "no answer"};
  auto theirs = info(c.value(), {"replication", "keyspace", "persistence"});
  if (!theirs) return {std::nullopt, "", "no answer"};
  if (parse_persistence_info(theirs.value()).loading.value_or(false))
    return {std::nullopt, "", "LOADING"};
  const auto my_side = data_side(mine);
  const auto their_side = data_side(theirs.value());
  if (auto order = order_by_history(my_side, their_side))
    return {order, describe_side(their_side), ""};
  auto ours_there = sample_against(own, c.value(), mine);
  auto theirs_here = sample_against(c.value(), own, theirs.value());
  const auto order = compare_data(my_side, their_side, ours_there, theirs_here);
  if (order == DataOrder::unknown) {
    const auto& failed = ours_there ? theirs_here : ours_there;
    return {std::nullopt, "", "keys not comparable: " + failed.error().message};
  }
  return {order, describe_side(their_side), ""};
}

}  // namespace redkeep::redis
