#include "actors/instance_context.hpp"

#include "config/password.hpp"

namespace redkeep::actors {

redis::Result<redis::Connection> open_instance_redis(const InstanceContext& ctx,
                                                     const std::string& host, int port,
                                                     const std::string& client_name) {
  const auto& rs = *ctx.instance.redis;
  redis::Access access;
  try {
    access = config::read_redis_access(rs);
  } catch (const std::exception& e) {
    return redis::Error{redis::Failure::auth, e.what()};
  }
  return redis::Connection::open(host, port, rs.check_timeout, rs.check_timeout, access,
                                 client_name);
}

}  // namespace redkeep::actors
