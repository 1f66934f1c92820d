#pragma once
// The control socket's request lines (`redkeep status`, `cold-start`, `switchover`, `reload`,
// and the test hooks): one line in, what it asks for out. Pure: the control server reads the
// line and carries the request out.

#include <cstdint>
#include <string>

namespace redkeep::core {

/// One parsed request line.
struct ControlRequest {
  enum class Kind {
    status,                ///< "status"
    cold_start_force,      ///< "cold-start-force [INSTANCE]"
    switchover,            ///< "switchover TIMEOUT_MS [INSTANCE]"
    malformed_switchover,  ///< "switchover ..." with a timeout that is not 1..300000 ms
    reload,                ///< "reload"
    crash,                 ///< test hook "crash ACTOR"
    hang,                  ///< test hook "hang ACTOR MS"
    unknown,
  };
  Kind kind = Kind::unknown;
  /// cold_start_force, switchover: the instance (empty: the only one); crash, hang: the actor.
  std::string target;
  std::uint64_t ms = 0;  ///< switchover: its catch-up timeout; hang: how long (milliseconds)

  /// A switchover or a reload runs for seconds: answered apart, one at a time.
  bool long_running() const {
    return kind == Kind::switchover || kind == Kind::malformed_switchover || kind == Kind::reload;
  }
};

/// Parses one request line (without its newline).
ControlRequest parse_control_request(const std::string& line);

}  // namespace redkeep::core
