#include "config/syntax.hpp"

namespace redkeep::config {
namespace {

constexpr int kMaxDepth = 32;

struct Open {
  const Statement* statement;  // null for a keyword-less `{`
  Token brace;
};

class SyntaxParser {
 public:
  SyntaxParser(const std::vector<Token>& tokens, const std::string& file)
      : tokens_(tokens), file_(file) {}

  SyntaxResult run() {
    SyntaxResult result;
    bool eof_inside = false;
    result.statements = parse_block(0, eof_inside);
    result.diagnostics = std::move(diagnostics_);
    return result;
  }

  std::optional<std::pair<int, int>> unclosed_from;

 private:
  void error(const Token& at, std::string message) {
    diagnostics_.push_back(
        {Diagnostic::Severity::error, file_, at.line, at.column, std::move(message)});
  }

  // Parses statements until a `}` (left for the caller) or the end; eof_inside is set when the
  // end of the tokens was reached.
  std::vector<Statement> parse_block(int depth, bool& eof_inside) {
    std::vector<Statement> out;
    while (pos_ < tokens_.size()) {
      const Token& tok = tokens_[pos_];
      if (tok.kind == Token::Kind::close_brace) {
        if (depth > 0) return out;
        error(tok, "unexpected '}': no block is open here");
        ++pos_;
        continue;
      }
      if (tok.kind == Token::Kind::open_brace) {
        error(tok, "unexpected '{': expected a keyword before it");
        Statement dummy;
        dummy.keyword = tok;
        parse_braces(dummy, depth);
        if (stop_) return out;
        continue;
      }
      if (depth == 0) suspect_.reset();  // only blocks inside the unclosed one are suspects
      Statement st;
      st.keyword = tok;
      ++pos_;
      while (pos_ < tokens_.size() && tokens_[pos_].is_value() && tokens_[pos_].line == tok.line) {
        st.args.push_back(tokens_[pos_++]);
      }
      if (pos_ < tokens_.size() && tokens_[pos_].kind == Token::Kind::open_brace) {
        st.has_block = true;
        parse_braces(st, depth);
      }
      out.push_back(std::move(st));
      if (stop_) return out;
    }
    eof_inside = true;
    return out;
  }

  // At a `{`: parses the block into st.block and consumes its `}`.
  void parse_braces(Statement& st, int depth) {
    st.open_brace = tokens_[pos_++];
    if (depth == 0) outer_open_ = std::make_pair(st.open_brace.line, st.open_brace.column);
    if (depth + 1 > kMaxDepth) {
      unclosed_from = outer_open_;  // the rest of the file is not analysed
      error(st.open_brace, "blocks nested too deeply (more than " + std::to_string(kMaxDepth) +
                               " levels)");
      stop_ = true;
      pos_ = tokens_.size();
      return;
    }
    bool eof_inside = false;
    st.block = parse_block(depth + 1, eof_inside);
    if (stop_) return;
    if (pos_ < tokens_.size()) {
      const Token& close = tokens_[pos_];
      const bool first_on_line = pos_ == 0 || tokens_[pos_ - 1].line != close.line;
      if (first_on_line && close.column < st.keyword.column && !suspect_) {
        // Indented left of its own keyword: probably the `}` of an enclosing block.
        suspect_ = st;
      }
      ++pos_;
      return;
    }
    // Reached the end with this block open; only the outermost one reports.
    if (depth == 0) {
      unclosed_from = std::make_pair(st.open_brace.line, st.open_brace.column);
      const Statement& culprit = suspect_ ? *suspect_ : st;
      std::string what = culprit.keyword.kind == Token::Kind::open_brace
                             ? std::string("block")
                             : "'" + culprit.keyword.text + "' block";
      std::string message = "'{' of " + what + " is never closed: expected '}'";
      if (suspect_) {
        message += " (a later '}' is indented like an enclosing block's, so it is probably "
                   "missing here)";
      } else {
        message += " before the end of the file";
      }
      error(culprit.open_brace, message);
    }
  }

  const std::vector<Token>& tokens_;
  const std::string& file_;
  std::size_t pos_ = 0;
  bool stop_ = false;
  std::optional<Statement> suspect_;
  std::pair<int, int> outer_open_;
  std::vector<Diagnostic> diagnostics_;
};

}  // namespace

SyntaxResult parse_syntax(const std::vector<Token>& tokens, const std::string& file_name) {
  SyntaxParser parser(tokens, file_name);
  SyntaxResult result = parser.run();
  result.unclosed_from = parser.unclosed_from;
  return result;
}

}  // namespace redkeep::config
