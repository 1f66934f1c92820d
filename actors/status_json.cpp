#include "actors/status_json.hpp"

#include <nlohmann/json.hpp>

namespace redkeep::actors {

std::string join_json(const std::vector<std::string>& instance_objects) {
  auto out = nlohmann::json::object();
  out["instances"] = nlohmann::json::array();
  for (const auto& text : instance_objects)
    out["instances"].push_back(nlohmann::json::parse(text, nullptr, false));
  return out.dump();
}

std::string error_json(const std::string& message) {
  return nlohmann::json{{"error", message}}.dump();
}

}  // namespace redkeep::actors
