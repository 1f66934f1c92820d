#include "redis/failure.hpp"

#include <hiredis/read.h>

#include <catch2/catch.hpp>
#include <cerrno>

using namespace redkeep::redis;

TEST_CASE("error replies are classified by their Redis error code", "[redis][failure]") {
  CHECK(classify_error_reply("NOAUTH Authentication required.") == Failure::auth);
  CHECK(classify_error_reply("WRONGPASS invalid username-password pair or user is disabled.") ==
        Failure::auth);
  CHECK(classify_error_reply("ERR invalid password") == Failure::auth);
  CHECK(classify_error_reply("ERR Client sent AUTH, but no password is set") == Failure::auth);
  CHECK(classify_error_reply("ERR AUTH <password> called without any password configured for "
                             "the default user. Are you sure your configuration is correct?") ==
        Failure::auth);
  CHECK(classify_error_reply("BUSY Redis is busy running a script. You can only call "
                             "SCRIPT KILL or SHUTDOWN NOSAVE.") == Failure::busy);
  CHECK(classify_error_reply("BUSYKEY Target key name already exists.") == Failure::other);
  CHECK(classify_error_reply("LOADING Redis is loading the dataset in memory") ==
        Failure::loading);
  CHECK(classify_error_reply("MASTERDOWN Link with MASTER is down and replica-serve-stale-data "
                             "is set to 'no'.") == Failure::masterdown);
  CHECK(classify_error_reply("ERR unknown command 'REPLICAOF', with args beginning with: "
                             "'NO' 'ONE' ") == Failure::unknown_command);
  CHECK(classify_error_reply("NOPERM this user has no permissions to run the 'replicaof' "
                             "command") == Failure::noperm);
  CHECK(classify_error_reply("READONLY You can't write against a read only replica.") ==
        Failure::other);
  CHECK(classify_error_reply("") == Failure::other);
  CHECK(classify_error_reply("ERR") == Failure::other);
}

TEST_CASE("connection errors are classified from hiredis err and errno", "[redis][failure]") {
  CHECK(classify_connection_error(REDIS_ERR_IO, ECONNREFUSED, "Connection refused") ==
        Failure::refused);
  // errno clobbered: errstr still tells.
  CHECK(classify_connection_error(REDIS_ERR_IO, 0, "Connection refused") == Failure::refused);
  CHECK(classify_connection_error(REDIS_ERR_IO, EAGAIN, "Resource temporarily unavailable") ==
        Failure::timeout);
  CHECK(classify_connection_error(REDIS_ERR_IO, ETIMEDOUT, "Connection timed out") ==
        Failure::timeout);
  CHECK(classify_connection_error(REDIS_ERR_EOF, 0, "Server closed the connection") ==
        Failure::closed);
  CHECK(classify_connection_error(REDIS_ERR_IO, ECONNRESET, "Connection reset by peer") ==
        Failure::closed);
  CHECK(classify_connection_error(REDIS_ERR_OTHER, 0, "Name or service not known") ==
        Failure::io);
  CHECK(classify_connection_error(REDIS_ERR_PROTOCOL, 0, "Protocol error") == Failure::io);
  CHECK(std::string(to_string(Failure::unknown_command)) == "unknown_command");
  CHECK(std::string(to_string(Failure::masterdown)) == "masterdown");
}
