#pragma once
// Keeps a crash's what() in the exit reason, so the supervisor can log why a
// child died (CAF's default handler reduces it to "unhandled_exception").

#include <caf/all.hpp>

#include <string>

namespace redkeep::actors {

/// An exception handler for set_exception_handler: logs "<name> crashed: what"
/// and turns the exception into sec::runtime_error carrying what().
caf::scheduled_actor::exception_handler crash_handler(std::string name);

/// Human text of an exit reason or error, e.g. "runtime_error: boom".
std::string describe(const caf::error& reason);

}  // namespace redkeep::actors
