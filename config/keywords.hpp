#pragma once
// The keyword vocabulary of each block: what redkeep implements, what keepalived has that redkeep
// does not (yet), and the nearest-keyword suggestion for typos. Pure.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace redkeep::config {

/// The blocks of the language. virtual_ipaddress and unicast_peer are address lists, not
/// keyword blocks, so they have no entry here.
enum class BlockKind { top, global_defs, vrrp_instance, authentication, redis, vrrp_script };

/// The block's name as written in messages ("vrrp_instance", "the top level").
std::string block_name(BlockKind block);

/// Keywords redkeep implements in `block`, in the order the reference documents them (the
/// keyword table, config/keyword_table.hpp).
const std::vector<std::string_view>& supported_keywords(BlockKind block);

/// For a keepalived keyword redkeep does not implement in `block`: the error message
/// ("'X' is not supported yet", with a hint where redkeep has a replacement). nullopt otherwise.
std::optional<std::string> unsupported_message(BlockKind block, std::string_view word);

/// Optimal string alignment distance (Levenshtein plus adjacent transpositions).
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The supported keyword of `block` nearest to `word`, if near enough to be a typo
/// (distance at most 1 for short words, 2 from 5 letters, 3 from 10).
std::optional<std::string> nearest_keyword(BlockKind block, std::string_view word);

}  // namespace redkeep::config
