#include "redis/state_file.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace redkeep::redis;

namespace {
std::string temp_path(const char* name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("redkeep-state-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}
}  // namespace

TEST_CASE("state file keeps each instance's run_id, replid and offset", "[redis][state]") {
  auto path = temp_path("state.json");
  std::filesystem::remove(path);
  CHECK_FALSE(load_redis_state(path, "A"));
  REQUIRE(save_redis_state(path, "A", {"run-a", "repl-a", 42, "master", {}}));
  REQUIRE(save_redis_state(path, "B", {"run-b", "repl-b", 7, "slave",
                                      {"192.0.2.11:6379", "192.0.2.13:6379"}}));
  auto a = load_redis_state(path, "A");
  REQUIRE(a);
  CHECK(a->run_id == "run-a");
  CHECK(a->replid == "repl-a");
  CHECK(a->offset == 42);
  CHECK(a->role == "master");
  CHECK(a->members.empty());
  CHECK(load_redis_state(path, "B")->run_id == "run-b");
  CHECK(load_redis_state(path, "B")->members ==
        std::vector<std::string>{"192.0.2.11:6379", "192.0.2.13:6379"});
  std::filesystem::remove_all(std::filesystem::path(path).parent_path());
}

TEST_CASE("a state file with values of the wrong type is read field by field, and rewritten",
          "[redis][state]") {
  auto path = temp_path("types.json");
  for (const char* text :
       {R"({"instances": []})", R"({"instances": {"A": 5}})",
        R"({"instances": {"A": {"run_id": 5, "replid": null, "offset": "x", "role": 1,
            "members": [7, "192.0.2.12:6379"]}}})"}) {
    INFO(text);
    std::ofstream(path) << text;
    std::string error;
    auto s = load_redis_state(path, "A", &error);  // no exception
    if (s) {
      CHECK(s->run_id.empty());
      CHECK(s->offset == -1);
      CHECK(s->members == std::vector<std::string>{"192.0.2.12:6379"});
    }
    REQUIRE(save_redis_state(path, "A", {"r", "p", 1, "master", {}}, &error));
    CHECK(load_redis_state(path, "A")->run_id == "r");
  }
  std::filesystem::remove_all(std::filesystem::path(path).parent_path());
}

TEST_CASE("a corrupt state file counts as absent and says so", "[redis][state]") {
  auto path = temp_path("corrupt.json");
  std::ofstream(path) << "{not json";
  std::string error;
  CHECK_FALSE(load_redis_state(path, "A", &error));
  CHECK(error.find(path) != std::string::npos);
  CHECK(save_redis_state(path, "A", {"r", "p", 1, "master", {}}));
  CHECK(load_redis_state(path, "A")->run_id == "r");
  std::filesystem::remove_all(std::filesystem::path(path).parent_path());
}
