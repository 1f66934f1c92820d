#pragma once
// Joins per-instance status objects into the `redkeep status --json` answer.
// Pure text handling, no CAF.

#include <string>
#include <vector>

namespace redkeep::actors {

/// `{"instances":[...]}` from JSON object texts, one per instance.
std::string join_json(const std::vector<std::string>& instance_objects);

/// A JSON object text `{"error": message}` for an instance that did not answer.
std::string error_json(const std::string& message);

}  // namespace redkeep::actors
