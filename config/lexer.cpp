#include "config/lexer.hpp"

namespace redkeep::config {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}
bool is_comment(char c) { return c == '#' || c == '!'; }
bool ends_word(char c) { return is_space(c) || is_comment(c) || c == '{' || c == '}' || c == '"'; }

}  // namespace

LexResult lex(std::string_view text, const std::string& file_name) {
  LexResult out;
  int line = 1;
  int column = 1;
  std::size_t i = 0;
  auto advance = [&] {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
    ++i;
  };
  while (i < text.size()) {
    const char c = text[i];
    if (is_space(c)) {
      advance();
      continue;
    }
    if (is_comment(c)) {
      while (i < text.size() && text[i] != '\n') advance();
      continue;
    }
    Token token;
    token.line = line;
    token.column = column;
    if (c == '{' || c == '}') {
      token.kind = c == '{' ? Token::Kind::open_brace : Token::Kind::close_brace;
      token.text = std::string(1, c);
      advance();
    } else if (c == '"') {
      token.kind = Token::Kind::string;
      advance();
      while (i < text.size() && text[i] != '"' && text[i] != '\n') {
        token.text += text[i];
        advance();
      }
      if (i < text.size() && text[i] == '"') {
        advance();
      } else {
        // The content is not quoted back: it may be a password.
        token.broken = true;
        out.diagnostics.push_back(
            {Diagnostic::Severity::error, file_name, token.line, token.column,
             "unterminated string: expected a closing '\"' on the same line"});
      }
    } else {
      while (i < text.size() && !ends_word(text[i])) {
        token.text += text[i];
        advance();
      }
    }
    out.tokens.push_back(std::move(token));
  }
  return out;
}

}  // namespace redkeep::config
