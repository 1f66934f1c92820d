#pragma once
// Statement tree -> Config: one keyword at a time, each value checked for type and range.
// Rules that relate several keywords (required ones, version-dependent ranges, duplicate VRIDs)
// are validate.hpp's job; this stage records where each keyword was so that they can be named.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/diagnostic.hpp"
#include "config/model.hpp"
#include "config/syntax.hpp"

namespace redkeep::config {

/// A position in the file; line 0 = the keyword was not written.
struct Where {
  int line = 0;
  int column = 0;
  bool present() const { return line > 0; }
};

/// Where each keyword of one vrrp_instance was written (for validation messages).
struct InstanceSource {
  Where keyword;  ///< the `vrrp_instance` word
  Where state, interface, virtual_router_id, priority, nopreempt, preempt_delay;
  Where advert_int;        ///< its value token
  std::string advert_int_text;  ///< set only when the value parsed
  Where version;           ///< set only when the value parsed
  Where authentication, auth_type, auth_pass;
  Where unicast_src_ip, v3_checksum_as_v2, redis, password, password_file, user,
      manage_masterauth;
  Where virtual_ipaddress;  ///< the first virtual_ipaddress block
  std::vector<Where> vips;  ///< one per virtual_ipaddress entry kept
  std::size_t vip_tokens = 0;  ///< entries written, valid or not
  std::vector<Where> peers;
  std::map<net::IpAddress, Where> peer_address;  ///< redis block: each entry, by advert source
  Where peer_address_written;  ///< a peer_address line, whether it parsed or not
  bool vrid_valid = false;
  Where notify_master, notify_backup, notify_fault, notify_stop, notify;
  /// One `track_script` entry as written: `NAME [weight N [reverse|noreverse]]`.
  struct Track {
    std::string name;
    Where at;
    std::optional<int> weight;
    std::optional<bool> reverse;
  };
  std::vector<Track> tracks;  ///< resolved into VrrpInstance::track_script by validate()
};

/// Where each keyword of one vrrp_script was written.
struct ScriptSource {
  Where keyword;  ///< the `vrrp_script` word
  Where script, user;
};

struct SourceMap {
  Where vrrp_version;
  std::vector<InstanceSource> instances;  ///< parallel to Config::instances
  std::vector<ScriptSource> scripts;      ///< parallel to Config::scripts
};

struct BuildResult {
  Config config;  ///< as far as it could be built; meaningful only without errors
  SourceMap source;
  std::vector<Diagnostic> diagnostics;
  /// Every token text that held a secret (auth_pass, redis password), so that the caller can
  /// make sure no diagnostic quotes one.
  std::vector<std::string> secrets;
  /// The first auth_pass or redis password keyword (for the world-readable file warning).
  Where first_secret;
};

/// Builds the configuration from the statement tree. Reports unknown keywords (with the nearest
/// valid one), keepalived keywords not implemented, wrong argument counts, values of the wrong
/// type or out of range (priority 255 with its reason, auth_type AH), and warns where keepalived
/// warns (auth_pass over 8 bytes truncated, a keyword given twice, garp repeat 0 taken as 1).
/// Instance `version` is left at the global default; validate() applies it.
BuildResult build_config(const std::vector<Statement>& statements, const std::string& file_name);

}  // namespace redkeep::config
