#pragma once
// A script's command line (vrrp_script `script`, notify_*) as the words to exec. keepalived
// splits the line into words and execs them without a shell, so `a | b` would pass `|` as an
// argument; redkeep does the same for a plain line and hands a line with shell syntax to
// /bin/sh -c. Pure.

#include <string>
#include <string_view>
#include <vector>

namespace redkeep::exec {

/// What to exec for a command line.
struct CommandLine {
  /// argv[0] is the program (looked up in PATH when it has no '/'), then its arguments. With
  /// `shell`: {"/bin/sh", "-c", LINE, "sh", extra...}.
  std::vector<std::string> argv;
  bool shell = false;
};

/// Splits `line` into words as a POSIX shell would for a simple command: blanks separate
/// words, '...' is literal, "..." keeps blanks and takes \" \\ \$ \` escapes, a backslash
/// outside quotes escapes the next character. The line needs a shell, and runs as
/// /bin/sh -c LINE, when it holds unquoted shell syntax (| & ; < > ( ) and newline, `$` or a
/// backquote outside single quotes, * ? [ globs, ~ or # at the start of a word, a leading
/// NAME=value assignment) or an unterminated quote. `extra` (notify's INSTANCE NAME STATE
/// PRIORITY) is appended to the words; under a shell they are "$@" after the line, so they go to
/// its last simple command. An empty or blank line gives an empty argv.
CommandLine parse_command_line(std::string_view line, const std::vector<std::string>& extra = {});

}  // namespace redkeep::exec
