#pragma once
// Structure parser: tokens -> a tree of statements (`keyword args... [{ statements }]`). Its one
// job is brace structure and line grouping; it knows no keyword (that is builder.hpp's job).

#include <optional>
#include <string>
#include <vector>

#include "config/diagnostic.hpp"
#include "config/lexer.hpp"

namespace redkeep::config {

/// `keyword arg arg ... [{ block }]`. As in keepalived, a statement's arguments are the value
/// tokens on the keyword's line; a block opens at the next `{` (same or a later line).
struct Statement {
  Token keyword;
  std::vector<Token> args;
  bool has_block = false;
  Token open_brace;
  std::vector<Statement> block;
};

struct SyntaxResult {
  std::vector<Statement> statements;
  std::vector<Diagnostic> diagnostics;
  /// Position (line, column) of the outermost `{` never closed: everything after it belongs to
  /// a block whose extent is unknown, so later stages report nothing from there on (no cascade).
  std::optional<std::pair<int, int>> unclosed_from;
};

/// Groups tokens into statements and blocks. Errors: a `}` with no open block, a `{` with no
/// keyword before it, a `{` never closed (reported at the brace that most likely lacks its `}`:
/// an inner block whose `}` is indented left of its keyword, else the outermost open one).
SyntaxResult parse_syntax(const std::vector<Token>& tokens, const std::string& file_name);

}  // namespace redkeep::config
