// Secrets never leave the parser; world-readable files holding one draw a warning.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "../../support/temp_dir.hpp"
#include "config/check_command.hpp"
#include "config/parser.hpp"
#include "config/print.hpp"
#include "config_test_util.hpp"

using namespace redkeep::config;
using namespace redkeep::config::test;

using redkeep::test::TempDir;

namespace {


const std::string kAuthPass = "Pw7Hid3n";     // 8 bytes: kept whole
const std::string kRedisPass = "Rd5Zecret9";

// Output of run_check on `text` (mode 0600), stdout and stderr together.
std::string check_output(const std::string& text, int* status = nullptr) {
  TempDir dir{"redkeep-config-test"};
  const std::string file = dir.write("r.conf", text, 0600);
  std::ostringstream out, err;
  const int rc = run_check(file, out, err);
  if (status) *status = rc;
  return out.str() + err.str();
}

}  // namespace

TEST_CASE("auth_pass and the redis password never appear in check output or diagnostics",
          "[config]") {
  const std::string auth = "    authentication {\n        auth_type PASS\n";
  const std::vector<std::pair<const char*, std::string>> cases = {
      {"valid", instance(auth + "        auth_pass " + kAuthPass +
                         "\n    }\n    redis {\n        password \"" + kRedisPass +
                         "\"\n    }\n")},
      {"extra token after auth_pass", instance(auth + "        auth_pass " + kAuthPass +
                                               " trailing\n    }\n")},
      {"auth_pass with a space", instance(auth + "        auth_pass Pw7 Hid3n\n    }\n")},
      {"auth_pass value on the next line",
       instance(auth + "        auth_pass\n        " + kAuthPass + "\n    }\n")},
      {"auth_pass value on the next line with more",
       instance(auth + "        auth_pass\n        " + kAuthPass + " " + kRedisPass +
                "\n    }\n")},
      {"unterminated auth_pass string",
       instance(auth + "        auth_pass \"" + kAuthPass + "\n    }\n")},
      {"typo in the auth_pass keyword",
       instance(auth + "        auth_pas " + kAuthPass + "\n    }\n")},
      {"password followed by a typo",
       instance("    redis {\n        password \"" + kRedisPass + "\" fal 3\n    }\n")},
      {"password twice on a line",
       instance("    redis {\n        password " + kRedisPass + " " + kRedisPass + "\n    }\n")},
      {"typo in the password keyword",
       instance("    redis {\n        pasword " + kRedisPass + "\n    }\n")},
      {"password value on the next line",
       instance("    redis {\n        password\n        " + kRedisPass + "\n    }\n")},
      {"password with password_file",
       instance("    redis {\n        password " + kRedisPass +
                "\n        password_file /x\n    }\n")},
      {"password in a file with an unclosed brace",
       instance("    redis {\n        password " + kRedisPass + "\n")},
      {"long auth_pass (truncated) in a broken file",
       instance(auth + "        auth_pass " + kAuthPass + "xyz\n    }\n    priorty 3\n")},
  };
  for (const auto& [what, text] : cases) {
    INFO(what << "\n" << text);
    const LoadResult r = parse(text);
    const std::string diagnostics = all_diagnostics(r);
    INFO(diagnostics);
    CHECK(diagnostics.find(kAuthPass) == std::string::npos);
    CHECK(diagnostics.find(kRedisPass) == std::string::npos);
    CHECK(diagnostics.find("Hid3n") == std::string::npos);
    if (r.config) {
      const std::string printed = format_effective(*r.config);
      CHECK(printed.find(kAuthPass) == std::string::npos);
      CHECK(printed.find(kRedisPass) == std::string::npos);
    }
    const std::string output = check_output(text);
    CHECK(output.find(kAuthPass) == std::string::npos);
    CHECK(output.find(kRedisPass) == std::string::npos);
  }
}

TEST_CASE("the effective configuration prints secrets as ***", "[config]") {
  int status = -1;
  const std::string output = check_output(
      instance("    authentication {\n        auth_type PASS\n        auth_pass " + kAuthPass +
               "\n    }\n    redis {\n        password " + kRedisPass + "\n    }\n"),
      &status);
  CHECK(status == 0);
  CHECK(output.find("        auth_pass ***\n") != std::string::npos);
  CHECK(output.find("        password ***\n") != std::string::npos);
}

TEST_CASE("a file readable by others that holds a password draws a warning", "[config]") {
  TempDir dir{"redkeep-config-test"};
  const std::string with_pass = instance("    authentication {\n        auth_type PASS\n"
                                         "        auth_pass " + kAuthPass + "\n    }\n");
  const std::string with_redis_pass =
      instance("    redis {\n        password " + kRedisPass + "\n    }\n");

  const std::string open_file = dir.write("open.conf", with_pass, 0644);
  const LoadResult open = load_file(open_file);
  REQUIRE(open.ok());  // a warning, not an error
  REQUIRE(open.diagnostics.size() == 1);
  CHECK(open.diagnostics[0].to_string() ==
        open_file + ":9:9: warning: this file holds a password and is readable by all users "
                    "(mode 0644); restrict it, e.g. chmod 600 " + open_file);

  const LoadResult redis_open = load_file(dir.write("redis.conf", with_redis_pass, 0604));
  REQUIRE(redis_open.diagnostics.size() == 1);
  CHECK(redis_open.diagnostics[0].line == 8);
  CHECK(redis_open.diagnostics[0].message.find("readable by all users (mode 0604)") !=
        std::string::npos);

  CHECK(load_file(dir.write("private.conf", with_pass, 0600)).diagnostics.empty());
  CHECK(load_file(dir.write("group.conf", with_pass, 0640)).diagnostics.empty());
  CHECK(load_file(dir.write("nopass.conf", instance(), 0644)).diagnostics.empty());
}

TEST_CASE("the effective configuration reads back to the same configuration", "[config]") {
  const LoadResult r = parse(
      "global_defs {\n    router_id \"my router\"\n    vrrp_version 3\n}\n" +
      instance("    state MASTER\n    priority 200\n    advert_int 0.35\n"
               "    unicast_src_ip 192.0.2.11\n    unicast_peer {\n        192.0.2.12\n    }\n"
               "    v3_checksum_as_v2\n    garp_master_refresh 30\n"
               "    redis {\n        user rk\n        password_file \"/etc/a b\"\n"
               "        check_interval 0.125\n    }\n") +
      renamed(with_vip(instance_with("virtual_router_id 55", "virtual_router_id 60",
                                     "    version 2\n    nopreempt\n    preempt_delay 1.5\n"),
                       "192.0.2.101/24"),
              "B"));
  INFO(all_diagnostics(r));
  REQUIRE(r.ok());
  const std::string printed = format_effective(*r.config);
  const LoadResult again = parse_text(printed, "printed.conf");
  INFO(printed << all_diagnostics(again));
  REQUIRE(again.ok());
  CHECK(again.diagnostics.empty());
  CHECK(format_effective(*again.config) == printed);
  const VrrpInstance& a = again.config->instances.at(0);
  CHECK(a.advert_int_cs == 35);
  CHECK(a.redis->check_interval == std::chrono::milliseconds(125));
  CHECK(a.redis->password_file == std::optional<std::string>("/etc/a b"));
  CHECK(again.config->instances.at(1).preempt_delay == std::chrono::milliseconds(1500));
}

/// Runs the redkeep binary with `args`; stdout and stderr go to files in `dir`.
struct Cli {
  TempDir& dir;
  const std::string out = dir.write("out", "", 0600);
  const std::string err = dir.write("err", "", 0600);

  int run(const std::string& args) const {
    const int status =
        std::system((std::string(REDKEEP_BINARY) + " " + args + " >" + out + " 2>" + err).c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  static std::string slurp(const std::string& file) {
    std::ifstream in(file);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
};

TEST_CASE("redkeep check runs on a good and a broken file (CLI)", "[config]") {
  TempDir dir{"redkeep-config-test"};
  const Cli cli{dir};
  const std::string& out = cli.out;
  const std::string& err = cli.err;
  const auto run = [&](const std::string& args) { return cli.run(args); };
  const auto slurp = Cli::slurp;
  const std::string good = REDKEEP_FIXTURES_DIR "/config/good.conf";
  const std::string broken = REDKEEP_FIXTURES_DIR "/config/broken.conf";

  CHECK(run("check --config " + good) == 0);
  const std::string good_out = slurp(out);
  CHECK(good_out.find("vrrp_instance HARedis {") != std::string::npos);
  CHECK(good_out.find("    priority 150\n") != std::string::npos);
  CHECK(good_out.find("    nopreempt\n") != std::string::npos);
  CHECK(good_out.find("        check_interval 2\n") != std::string::npos);
  CHECK(good_out.find("        rise 2\n") != std::string::npos);  // default filled in
  CHECK(good_out.find("        auth_pass ***\n") != std::string::npos);
  const std::string everything = good_out + slurp(err);
  CHECK(everything.find("Fx7kQ2zP") == std::string::npos);
  CHECK(everything.find("Rq8vLm3Tw") == std::string::npos);
  CHECK(slurp(err).find("error") == std::string::npos);

  CHECK(run("check -f " + good) == 0);

  CHECK(run("check --config " + broken) == 1);
  CHECK(slurp(out).empty());
  CHECK(slurp(err) == broken + ":5:5: error: unknown keyword 'priorty' in vrrp_instance; did "
                               "you mean 'priority'?\n");

  CHECK(run("check --config /nonexistent/redkeep.conf") == 1);
  CHECK(slurp(err) ==
        "/nonexistent/redkeep.conf: error: cannot open: No such file or directory\n");
}

TEST_CASE("an unknown command is named as such, with the commands there are (CLI)", "[config]") {
  TempDir dir{"redkeep-config-test"};
  const Cli cli{dir};
  CHECK(cli.run("chek --config x.conf") == 109);  // CLI11's ExtrasError: a usage error
  const std::string err = Cli::slurp(cli.err);
  CHECK(err.rfind("redkeep: unknown command 'chek'; one of: check ", 0) == 0);
  CHECK(err.find(" status ") != std::string::npos);
  CHECK(cli.run("") == 106);  // none at all: CLI11's own message
}

TEST_CASE("check and run refuse an IPv6 instance that cannot find its peers' Redis and a /0 VIP "
          "at FILE:LINE:COLUMN (CLI)",
          "[config]") {
  TempDir dir{"redkeep-config-test"};
  const Cli cli{dir};
  const std::string& err = cli.err;
  const auto run = [&](const std::string& args) { return cli.run(args); };
  const auto slurp = Cli::slurp;
  const std::string ipv6 = dir.write(
      "ipv6.conf",
      instance_with("192.0.2.100/24", "fe80::55/64", "    redis {\n        port 6379\n    }\n"),
      0600);
  const std::string prefix0 =
      dir.write("prefix0.conf", instance_with("192.0.2.100/24", "192.0.2.100/0"), 0600);
  for (const char* command : {"check", "run"}) {
    INFO(command);
    CHECK(run(std::string(command) + " --config " + ipv6) == 1);
    CHECK(slurp(err).find(ipv6 + ":7:5: error: vrrp_instance A is IPv6 and manages Redis, but "
                                 "nothing says where the other nodes' Redis listen") == 0);
    CHECK(run(std::string(command) + " --config " + prefix0) == 1);
    CHECK(slurp(err).find(prefix0 + ":5:9: error: virtual_ipaddress 192.0.2.100/0 cannot be a "
                                    "VIP: a VIP's prefix length must be 8 to 32") == 0);
  }
}
