#pragma once
// Reads the captured Redis replies in tests/fixtures/redis (see the README there).

#include <hiredis/hiredis.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "redis/connection.hpp"
#include "redis/reply.hpp"

namespace redkeep::redis::testing {

inline std::string read_fixture(const std::string& name) {
  const std::string path = std::string(REDKEEP_FIXTURES_DIR) + "/redis/" + name;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("missing fixture " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Decodes raw RESP bytes with hiredis' own reader, then converts with to_reply(): the same
/// path a live reply takes.
inline Reply decode_resp(const std::string& bytes) {
  redisReader* reader = redisReaderCreate();
  redisReaderFeed(reader, bytes.data(), bytes.size());
  void* raw = nullptr;
  const int rc = redisReaderGetReply(reader, &raw);
  redisReaderFree(reader);
  if (rc != REDIS_OK || raw == nullptr) throw std::runtime_error("bad RESP fixture");
  Reply reply = to_reply(static_cast<redisReply*>(raw));
  freeReplyObject(raw);
  return reply;
}

}  // namespace redkeep::redis::testing
