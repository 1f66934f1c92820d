#pragma once
// Lexer for keepalived.conf syntax: text -> tokens. Its one job is splitting; it knows no keyword.

#include <string>
#include <string_view>
#include <vector>

#include "config/diagnostic.hpp"

namespace redkeep::config {

/// One token. line/column (1-based, bytes) locate its first character (the quote of a string).
struct Token {
  enum class Kind { word, string, open_brace, close_brace };
  Kind kind = Kind::word;
  std::string text;  ///< the word, or a string's content without its quotes
  int line = 0;
  int column = 0;
  /// An unterminated string (already reported): users of the token stay silent about it.
  bool broken = false;

  bool is_value() const { return kind == Kind::word || kind == Kind::string; }
};

struct LexResult {
  std::vector<Token> tokens;
  std::vector<Diagnostic> diagnostics;
};

/// Splits keepalived.conf text into tokens, as keepalived reads it: tokens are separated by
/// whitespace; `{` and `}` are tokens of their own; `"..."` is one token (keepalived strings end
/// on their line); `#` and `!` outside quotes start a comment to the end of the line, also in the
/// middle of a word (keepalived's decomment does the same). An unterminated string is an error
/// at its opening quote; the rest of its line becomes the token, marked broken. Pure.
LexResult lex(std::string_view text, const std::string& file_name);

}  // namespace redkeep::config
