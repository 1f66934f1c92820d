#include "net/vrrp/reject_reason.hpp"

namespace redkeep::net::vrrp {

const char* to_string(RejectReason reason) {
  switch (reason) {
    case RejectReason::ip_header:
      return "ip_header";
    case RejectReason::ttl:
      return "ttl";
    case RejectReason::version:
      return "version";
    case RejectReason::version_mismatch:
      return "version_mismatch";
    case RejectReason::length:
      return "length";
    case RejectReason::checksum:
      return "checksum";
    case RejectReason::type:
      return "type";
    case RejectReason::vrid:
      return "vrid";
    case RejectReason::own_address:
      return "own_address";
    case RejectReason::unicast_peer:
      return "unicast_peer";
    case RejectReason::auth_type:
      return "auth_type";
    case RejectReason::auth_password:
      return "auth_password";
    case RejectReason::interval:
      return "interval";
    case RejectReason::address_list:
      return "address_list";
    case RejectReason::source_address:
      return "source_address";
  }
  return "unknown";
}

}  // namespace redkeep::net::vrrp
