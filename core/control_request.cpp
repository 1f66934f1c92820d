#include "core/control_request.hpp"

#include <cstdlib>
#include <sstream>

namespace redkeep::core {

namespace {

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

ControlRequest parse_control_request(const std::string& line) {
  using Kind = ControlRequest::Kind;
  ControlRequest r;
  if (line == "status") {
    r.kind = Kind::status;
  } else if (line == "reload") {
    r.kind = Kind::reload;
  } else if (line == "cold-start-force" || starts_with(line, "cold-start-force ")) {
    r.kind = Kind::cold_start_force;
    r.target = line.size() > 17 ? line.substr(17) : "";
  } else if (starts_with(line, "switchover ")) {
    std::istringstream in(line.substr(11));
    std::int64_t timeout_ms = 0;
    // The CLI's bounds (0.001 to 300 s): the pause's length follows from it.
    if (!(in >> timeout_ms) || timeout_ms < 1 || timeout_ms > 300'000) {
      r.kind = Kind::malformed_switchover;
      return r;
    }
    r.kind = Kind::switchover;
    r.ms = static_cast<std::uint64_t>(timeout_ms);
    in >> r.target;
  } else if (starts_with(line, "crash ")) {
    r.kind = Kind::crash;
    r.target = line.substr(6);
  } else if (starts_with(line, "hang ")) {
    // "hang ACTOR MS": the election ACTOR blocks for MS milliseconds.
    const auto space = line.rfind(' ');
    r.kind = Kind::hang;
    r.target = line.substr(5, space > 5 ? space - 5 : 0);
    r.ms = std::strtoull(line.c_str() + space + 1, nullptr, 10);
  }
  return r;
}

}  // namespace redkeep::core
