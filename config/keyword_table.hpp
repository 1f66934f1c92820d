#pragma once
// The configuration language's keywords, in one table: block, keyword, kind of value, range,
// default and setter. The builder walks it; `supported_keywords()` (typo suggestions), the
// effective-configuration printer and config/README.md's keyword list are checked against it
// by tests (tests/unit/config/keyword_table_test.cpp).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/builder.hpp"
#include "config/keywords.hpp"
#include "config/model.hpp"

namespace redkeep::config {

/// How a keyword's value is written.
enum class ValueKind {
  block,    ///< `{ ... }` of keywords (global_defs, vrrp_instance NAME, authentication, redis)
  list,     ///< `{ ... }` of addresses (virtual_ipaddress, unicast_peer)
  flag,     ///< no value (nopreempt)
  number,   ///< a whole number in [min, max]
  seconds,  ///< seconds with at most `decimals` decimals, in [min, max] (scaled by 10^decimals)
  choice,   ///< one of `choices`
  word,     ///< any non-empty word (a name, a path)
  address,  ///< an IP address
  secret,   ///< a password: never quoted in a message
  command,  ///< a command line: the rest of the line (vrrp_script `script`)
  notify,   ///< a command line as one word (quoted), then optionally USER [GROUP] (notify_*)
  weight,   ///< a whole number from -253 to 253, then optionally `reverse`
  user,     ///< USER [GROUP]
  rename,   ///< ORIGINAL NEW (rename_command)
  address_pair,  ///< two IP addresses (peer_address ADVERT_SOURCE REDIS_ADDRESS)
};

/// Where a setter writes: the parts of the model being built (null when not in that block).
struct Target {
  GlobalDefs* global = nullptr;
  SourceMap* source = nullptr;
  VrrpInstance* instance = nullptr;
  InstanceSource* instance_source = nullptr;
  RedisSettings* redis = nullptr;
  VrrpScript* script = nullptr;
};

/// A parsed value, as the builder hands it to a setter.
struct Value {
  std::uint64_t number = 0;  ///< number; seconds scaled by 10^decimals
  std::string text;          ///< the value as written
  std::optional<net::IpAddress> address;
  int integer = 0;       ///< weight
  bool reverse = false;  ///< weight ... reverse
  std::optional<std::string> user, group;  ///< notify, user
  std::string renamed;                     ///< rename: NEW (`text` is ORIGINAL, upper case)
  std::optional<net::IpAddress> second;    ///< address_pair: the second address
  Where keyword;  ///< where the keyword was written
  Where at;       ///< where its value was written
};

/// One keyword of one block.
struct KeywordSpec {
  BlockKind block = BlockKind::top;
  std::string_view name;
  ValueKind kind = ValueKind::flag;
  std::string_view expected;  ///< the value in messages ("a name"); number/seconds: generated
  std::uint64_t min = 0;      ///< number, seconds (scaled)
  std::uint64_t max = 0;
  int decimals = 0;             ///< seconds: 0 whole seconds, 2 centiseconds, 3 milliseconds
  std::string_view range_note;  ///< seconds: appended to the range in messages
  std::vector<std::string_view> choices;  ///< choice
  /// The default as config/README.md states it (in parentheses); "" = none.
  std::string_view default_value;
  /// Marked at the keyword whether its value parses or not (validation names it).
  Where InstanceSource::*seen = nullptr;
  /// Checks the value as written before it is parsed: a refusal (reported at the value).
  std::optional<std::string> (*check)(const std::string& raw) = nullptr;
  /// Stores a parsed value; returns a warning to report at the value (keepalived's leniencies).
  std::optional<std::string> (*set)(Target& target, const Value& value) = nullptr;
};

/// Every keyword, block by block, each block in the order config/README.md documents it.
const std::vector<KeywordSpec>& keyword_table();

/// The row of `name` in `block`; nullptr when redkeep does not implement it there.
const KeywordSpec* find_keyword(BlockKind block, std::string_view name);

}  // namespace redkeep::config
