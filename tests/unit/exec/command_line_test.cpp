// A script's command line as the words to exec (exec/command_line.hpp): split as a shell
// splits a simple command, or handed to /bin/sh -c when it holds shell syntax.
#include "exec/command_line.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using redkeep::exec::CommandLine;
using redkeep::exec::parse_command_line;
using Words = std::vector<std::string>;

namespace {

/// The words of a line that must not need a shell.
Words words(const std::string& line, const Words& extra = {}) {
  const CommandLine c = parse_command_line(line, extra);
  INFO("line: " << line);
  CHECK_FALSE(c.shell);
  return c.argv;
}

/// True when `line` is handed to /bin/sh -c as it is.
bool needs_shell(const std::string& line) {
  const CommandLine c = parse_command_line(line);
  return c.shell && c.argv == Words{"/bin/sh", "-c", line, "sh"};
}

}  // namespace

TEST_CASE("command line: plain words are split at blanks and tabs", "[exec][command_line]") {
  CHECK(words("/usr/bin/redis-cli -p 6379 ping") ==
        Words{"/usr/bin/redis-cli", "-p", "6379", "ping"});
  CHECK(words("  check_redis \t  --fast  ") == Words{"check_redis", "--fast"});
  CHECK(words("true") == Words{"true"});
}

TEST_CASE("command line: single quotes keep everything in them literally", "[exec][command_line]") {
  CHECK(words("echo 'a  b' c") == Words{"echo", "a  b", "c"});
  // $, |, backslash, double quote and * mean nothing inside single quotes.
  CHECK(words("echo '$HOME | x\\y \"z\" *'") == Words{"echo", "$HOME | x\\y \"z\" *"});
  CHECK(words("echo ''") == Words{"echo", ""});
}

TEST_CASE("command line: double quotes keep blanks and take the four escapes",
          "[exec][command_line]") {
  CHECK(words("echo \"a  b\"") == Words{"echo", "a  b"});
  CHECK(words(R"(echo "a\"b\\c\$d\`e")") == Words{"echo", "a\"b\\c$d`e"});
  // Any other backslash stays, as in sh.
  CHECK(words(R"(echo "a\nb")") == Words{"echo", "a\\nb"});
  // Shell operators inside double quotes are text.
  CHECK(words("echo \"a | b > c & d\"") == Words{"echo", "a | b > c & d"});
  CHECK(words("echo \"\"") == Words{"echo", ""});
}

TEST_CASE("command line: a backslash outside quotes escapes the next character",
          "[exec][command_line]") {
  CHECK(words(R"(echo a\ b)") == Words{"echo", "a b"});
  CHECK(words(R"(echo \| \$HOME \* \#x \~)") == Words{"echo", "|", "$HOME", "*", "#x", "~"});
  CHECK(words(R"(echo \\)") == Words{"echo", "\\"});
}

TEST_CASE("command line: quoted and unquoted parts next to each other make one word",
          "[exec][command_line]") {
  CHECK(words(R"(echo a'b c'"d e"f)") == Words{"echo", "ab cd ef"});
  CHECK(words(R"(--opt="x y")") == Words{"--opt=x y"});
}

TEST_CASE("command line: ~, # and = only matter where a shell gives them meaning",
          "[exec][command_line]") {
  CHECK(words("echo a~b a#b") == Words{"echo", "a~b", "a#b"});
  // An assignment only as the first word; a name may not start with a digit.
  CHECK(words("cmd FOO=1") == Words{"cmd", "FOO=1"});
  CHECK(words("1FOO=x cmd") == Words{"1FOO=x", "cmd"});
  CHECK(words("=x cmd") == Words{"=x", "cmd"});
  CHECK(words("'FOO=1' cmd") == Words{"FOO=1", "cmd"});  // quoted: a word, not an assignment
}

TEST_CASE("command line: lines with shell syntax run under /bin/sh -c as written",
          "[exec][command_line]") {
  CHECK(needs_shell("redis-cli ping | grep -q PONG"));
  CHECK(needs_shell("test -f /a ; test -f /b"));
  CHECK(needs_shell("test -f /a && test -f /b"));
  CHECK(needs_shell("test -f /a || exit 1"));
  CHECK(needs_shell("sleep 1 &"));
  CHECK(needs_shell("redis-cli ping > /tmp/out"));
  CHECK(needs_shell("redis-cli < /tmp/in"));
  CHECK(needs_shell("(redis-cli ping)"));
  CHECK(needs_shell("redis-cli ping\nredis-cli info"));
  CHECK(needs_shell("redis-cli -p $PORT ping"));
  CHECK(needs_shell("redis-cli -p \"$PORT\" ping"));
  CHECK(needs_shell("echo `date`"));
  CHECK(needs_shell("echo \"`date`\""));
  CHECK(needs_shell("ls /etc/*.conf"));
  CHECK(needs_shell("ls /dev/sd?"));
  CHECK(needs_shell("ls /dev/sd[ab]"));
  CHECK(needs_shell("~/bin/check"));
  CHECK(needs_shell("check ~/x"));
  CHECK(needs_shell("check # a comment"));
  CHECK(needs_shell("REDISCLI_AUTH=x redis-cli ping"));
  CHECK(needs_shell("_X1=y check"));
}

TEST_CASE("command line: an unterminated quote or a trailing backslash goes to the shell",
          "[exec][command_line]") {
  CHECK(needs_shell("echo 'unterminated"));
  CHECK(needs_shell("echo \"unterminated"));
  CHECK(needs_shell("echo \"ends in an escape\\\""));
  CHECK(needs_shell("echo a\\"));
}

TEST_CASE("command line: extra arguments are appended to plain words", "[exec][command_line]") {
  const CommandLine c =
      parse_command_line("/etc/redkeep/notify.sh --verbose", {"INSTANCE", "VI_1", "MASTER", "150"});
  CHECK_FALSE(c.shell);
  CHECK(c.argv ==
        Words{"/etc/redkeep/notify.sh", "--verbose", "INSTANCE", "VI_1", "MASTER", "150"});
  // An extra argument is one word whatever it holds: nothing re-splits or expands it.
  CHECK(words("notify", {"a b", "$x", "*"}) == Words{"notify", "a b", "$x", "*"});
}

TEST_CASE("command line: under a shell the extra arguments are \"$@\" after the line",
          "[exec][command_line]") {
  const std::string line = "logger -t redkeep | true";
  const CommandLine c = parse_command_line(line, {"INSTANCE", "VI_1", "MASTER", "150"});
  CHECK(c.shell);
  CHECK(c.argv ==
        Words{"/bin/sh", "-c", line + " \"$@\"", "sh", "INSTANCE", "VI_1", "MASTER", "150"});
  // Without extra arguments the line is left as written.
  CHECK(parse_command_line(line).argv == Words{"/bin/sh", "-c", line, "sh"});
}

TEST_CASE("command line: an empty or blank line gives an empty argv", "[exec][command_line]") {
  for (const char* line : {"", " ", "\t", "  \t  "}) {
    INFO("line: '" << line << "'");
    const CommandLine c = parse_command_line(line);
    CHECK(c.argv.empty());
    CHECK_FALSE(c.shell);
    CHECK(parse_command_line(line, {"INSTANCE", "VI_1"}).argv.empty());
  }
}
