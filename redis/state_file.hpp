#pragma once
// What redkeep keeps across its own restarts to judge whether the local Redis
// restarted meanwhile (DESIGN.md section 5): the last run_id it saw, with the
// replication id and offset. One JSON file (`global_defs { state_file }`),
// one entry per vrrp_instance, replaced atomically (write + rename).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace redkeep::redis {

/// The local Redis as last seen by redkeep.
struct PersistedRedisState {
  std::string run_id;        ///< INFO server run_id: a new one means Redis restarted
  std::string replid;        ///< master_replid
  std::int64_t offset = -1;  ///< master_repl_offset, bytes
  std::string role;          ///< "master" / "slave"
  /// Members of the cluster learned while running ("ADDRESS:PORT" of their Redis), so that a
  /// node that restarts into a cut-off network knows whom it cannot reach.
  std::vector<std::string> members;

  friend bool operator==(const PersistedRedisState& a, const PersistedRedisState& b) {
    return a.run_id == b.run_id && a.replid == b.replid && a.offset == b.offset &&
           a.role == b.role && a.members == b.members;
  }
};

/// Reads the entry of `instance`. nullopt when the file or the entry does not
/// exist; a file that cannot be parsed counts as absent and sets `error`.
std::optional<PersistedRedisState> load_redis_state(const std::string& path,
                                                    const std::string& instance,
                                                    std::string* error = nullptr);

/// Writes the entry of `instance`, keeping the other entries. Safe to call
/// from several threads of one process. Returns false with `error` set
/// (naming the path) when the file cannot be written.
bool save_redis_state(const std::string& path, const std::string& instance,
                      const PersistedRedisState& state, std::string* error = nullptr);

}  // namespace redkeep::redis
