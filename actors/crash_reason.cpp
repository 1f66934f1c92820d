#include "actors/crash_reason.hpp"

#include "actors/log.hpp"

namespace redkeep::actors {

caf::scheduled_actor::exception_handler crash_handler(std::string name) {
  return [name](caf::scheduled_actor*, std::exception_ptr& eptr) -> caf::error {
    std::string what = "unknown exception";
    try {
      std::rethrow_exception(eptr);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    daemon_log().error(core::LogKind::actor_crash, "{} crashed: {}", field("actor", name), field("error", what));
    return caf::make_error(caf::sec::runtime_error, what);
  };
}

std::string describe(const caf::error& reason) {
  if (!reason) return "normal exit";
  if (reason.category() == caf::atom("system")) {
    std::string text = caf::to_string(static_cast<caf::sec>(reason.code()));
    if (!reason.context().empty()) {
      auto ctx = caf::to_string(reason.context());
      text += ": " + ctx;
    }
    return text;
  }
  if (reason.category() == caf::atom("exit")) {
    return caf::to_string(static_cast<caf::exit_reason>(reason.code()));
  }
  return caf::to_string(reason);
}

}  // namespace redkeep::actors
