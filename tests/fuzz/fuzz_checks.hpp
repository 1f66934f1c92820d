#pragma once
// What the fuzz targets check for one input, shared by the libFuzzer targets (fuzz_vrrp.cpp,
// fuzz_config.cpp, fuzz_inspect.cpp: abort on a finding) and the regression suite
// (tests/unit/fuzz_regressions_test.cpp: REQUIRE no finding). Header-only so the unit tests,
// built with g++ and without libFuzzer, replay exactly the same checks.
//
// Each check returns "" when the input is handled correctly, or a description of the bug.
// Memory errors and undefined behaviour are caught by the sanitizers of the fuzz build (and of
// a REDKEEP_SANITIZE=ON build of the unit tests), not here.

#include <array>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "config/lexer.hpp"
#include "config/migrate.hpp"
#include "config/parser.hpp"
#include "config/print.hpp"
#include "config/syntax.hpp"
#include "inspect/inspect_command.hpp"
#include "inspect/log_line.hpp"
#include "inspect/report.hpp"
#include "inspect/svg.hpp"
#include "inspect/timeline.hpp"
#include "net/ip_address.hpp"
#include "net/vrrp/packet.hpp"
#include "net/vrrp/validate.hpp"

namespace redkeep::fuzz {

namespace detail {

using net::IpAddress;
using namespace net::vrrp;

/// Reads the fuzz input front to back; past its end every read yields zeros, so any input
/// builds a value.
class Reader {
 public:
  Reader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  std::uint8_t u8() { return at_ < size_ ? data_[at_++] : 0; }
  std::uint16_t u16() { return static_cast<std::uint16_t>((u8() << 8) | u8()); }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t at_ = 0;
};

inline IpAddress v6_from(const std::uint8_t* bytes) {
  // IpAddress has no raw IPv6 constructor: through the text form.
  static const char* hex = "0123456789abcdef";
  std::string text;
  for (int i = 0; i < 16; i += 2) {
    if (i) text += ':';
    for (int j = 0; j < 2; ++j) {
      text += hex[bytes[i + j] >> 4];
      text += hex[bytes[i + j] & 0xf];
    }
  }
  return *IpAddress::parse(text);
}

inline IpAddress address_from(Reader& r, bool v4) {
  std::uint8_t b[16];
  for (std::size_t i = 0; i < (v4 ? 4u : 16u); ++i) b[i] = r.u8();
  return v4 ? IpAddress::v4(b) : v6_from(b);
}

inline IpAddress ip(const char* text) { return *IpAddress::parse(text); }

inline std::string describe(const Advert& a) {
  std::string s = "v" + std::to_string(static_cast<int>(a.version)) +
                  " vrid=" + std::to_string(a.vrid) + " prio=" + std::to_string(a.priority) +
                  " int_cs=" + std::to_string(a.adver_int_cs) +
                  " auth=" + std::to_string(static_cast<int>(a.auth_type)) + " addrs=[";
  for (const auto& x : a.addresses) s += x.to_string() + " ";
  return s + "]";
}

/// "" when equal, else what differs.
inline std::string compare(const Advert& want, const Advert& got) {
  if (want.version == got.version && want.vrid == got.vrid && want.priority == got.priority &&
      want.adver_int_cs == got.adver_int_cs && want.auth_type == got.auth_type &&
      want.auth_data == got.auth_data && want.addresses == got.addresses) {
    return "";
  }
  return "want " + describe(want) + ", got " + describe(got);
}

/// The advert decode() returns for what encode() produced from `a`: Authentication Data is
/// sent only for v2 simple_text (RFC 3768 section 5.3.10), v3 has no authentication.
inline Advert as_sent(Advert a) {
  if (a.version == Version::v3) a.auth_type = AuthType::none;
  if (a.version == Version::v3 || a.auth_type != AuthType::simple_text) a.auth_data = {};
  return a;
}

/// Wraps a VRRP message in a 20-byte IPv4 header (protocol 112) as a raw socket delivers it.
inline std::vector<std::uint8_t> ipv4_wrap(const std::vector<std::uint8_t>& message,
                                           const IpAddress& src, const IpAddress& dst,
                                           std::uint8_t ttl) {
  const std::size_t total = 20 + message.size();
  std::vector<std::uint8_t> p = {0x45, 0xc0, static_cast<std::uint8_t>(total >> 8),
                                 static_cast<std::uint8_t>(total), 0, 1, 0, 0, ttl,
                                 kIpProtoVrrp, 0, 0};
  p.insert(p.end(), src.data(), src.data() + 4);
  p.insert(p.end(), dst.data(), dst.data() + 4);
  p.insert(p.end(), message.begin(), message.end());
  return p;
}

/// encode() then decode_message() (and, over IPv4, decode() and receive() of the IPv4-wrapped
/// message) must give `advert` back. `must_encode`: the advert is structurally valid, so an
/// encode error is a bug; otherwise it is accepted silently.
inline std::string round_trip(const Advert& advert, const IpAddress& src, const IpAddress& dst,
                              ChecksumMode mode, bool must_encode) {
  auto encoded = encode(advert, src, dst, mode);
  if (auto* error = std::get_if<EncodeError>(&encoded)) {
    return must_encode ? std::string("encode refused a valid advert (") + to_string(*error) +
                             "): " + describe(advert)
                       : "";
  }
  const auto& bytes = std::get<std::vector<std::uint8_t>>(encoded);
  const std::size_t want_size = 8 + advert.addresses.size() * src.size() +
                                (advert.version == Version::v2 ? kAuthDataSize : 0);
  if (bytes.size() != want_size) return "encode: wrong size for " + describe(advert);
  const Advert want = as_sent(advert);

  auto message = decode_message(bytes.data(), bytes.size(), src, dst, mode, advert.version);
  if (auto* reason = std::get_if<RejectReason>(&message)) {
    return std::string("decode_message rejected an encoded advert: ") + to_string(*reason) +
           ": " + describe(advert);
  }
  if (auto diff = compare(want, std::get<Advert>(message)); !diff.empty()) {
    return "encode/decode_message round trip: " + diff;
  }
  if (!src.is_v4()) return "";

  const auto packet = ipv4_wrap(bytes, src, dst, kVrrpTtl);
  auto decoded = decode(packet.data(), packet.size(), mode);
  if (auto* reason = std::get_if<RejectReason>(&decoded)) {
    return std::string("decode rejected an encoded, wrapped advert: ") + to_string(*reason) +
           ": " + describe(advert);
  }
  const auto& received = std::get<ReceivedAdvert>(decoded);
  if (received.source != src || received.destination != dst || received.ttl != kVrrpTtl) {
    return "decode: IPv4 header fields lost";
  }
  if (auto diff = compare(want, received.advert); !diff.empty()) {
    return "encode/decode round trip: " + diff;
  }

  // The instance this advert was configured for must accept it (AH is never supported).
  Expectation e;
  e.version = advert.version;
  e.vrid = advert.vrid;
  e.auth_type = advert.auth_type;
  e.auth_pass = want.auth_data;
  e.adver_int_cs = advert.adver_int_cs;
  e.vips = advert.addresses;
  e.checksum_mode = mode;
  std::uint8_t own[4] = {src.data()[0], src.data()[1], src.data()[2],
                         static_cast<std::uint8_t>(src.data()[3] ^ 1)};
  e.own_address = IpAddress::v4(own);
  auto accepted = receive(packet.data(), packet.size(), e);
  const bool ah = advert.version == Version::v2 && advert.auth_type == AuthType::ip_ah;
  if (auto* reason = std::get_if<RejectReason>(&accepted)) {
    if (ah && *reason == RejectReason::auth_type) return "";
    return std::string("receive rejected its own instance's advert: ") + to_string(*reason) +
           ": " + describe(advert);
  }
  if (ah) return "receive accepted an AH advert";

  // One mismatch at a time must be rejected for exactly that reason (validate.hpp's order).
  auto rejects = [&](const Expectation& x, const std::vector<std::uint8_t>& pkt,
                     RejectReason want, const char* what) -> std::string {
    auto got = receive(pkt.data(), pkt.size(), x);
    const auto* reason = std::get_if<RejectReason>(&got);
    if (reason != nullptr && *reason == want) return "";
    return std::string("receive with ") + what + ": want " + to_string(want) + ", got " +
           (reason != nullptr ? to_string(*reason) : "accepted") + ": " + describe(advert);
  };
  std::vector<std::string> bugs;
  Expectation x = e;
  x.version = advert.version == Version::v2 ? Version::v3 : Version::v2;
  bugs.push_back(rejects(x, packet, RejectReason::version_mismatch, "another version"));
  x = e;
  x.vrid = static_cast<std::uint8_t>(e.vrid + 1);
  bugs.push_back(rejects(x, packet, RejectReason::vrid, "another VRID"));
  x = e;
  x.own_address = src;
  bugs.push_back(rejects(x, packet, RejectReason::own_address, "its source as own address"));
  x = e;
  x.unicast = true;
  x.unicast_peers = {e.own_address};
  bugs.push_back(rejects(x, packet, RejectReason::unicast_peer, "unicast from a non-peer"));
  bugs.push_back(rejects(e, ipv4_wrap(bytes, src, dst, kVrrpTtl - 1), RejectReason::ttl,
                         "TTL 254, multicast mode"));
  if (advert.version == Version::v2) {
    x = e;
    x.auth_type = advert.auth_type == AuthType::none ? AuthType::simple_text : AuthType::none;
    bugs.push_back(rejects(x, packet, RejectReason::auth_type, "another auth type"));
    if (advert.auth_type == AuthType::simple_text) {
      x = e;
      x.auth_pass[kAuthDataSize - 1] ^= 1;
      bugs.push_back(rejects(x, packet, RejectReason::auth_password, "another password"));
    }
    x = e;
    x.adver_int_cs = static_cast<std::uint16_t>(e.adver_int_cs + 100);
    bugs.push_back(rejects(x, packet, RejectReason::interval, "another interval"));
  }
  if (advert.priority != 255) {
    x = e;
    x.vips.push_back(src);
    bugs.push_back(rejects(x, packet, RejectReason::address_list, "one VIP more"));
  }
  for (auto& bug : bugs) {
    if (!bug.empty()) return bug;
  }
  return "";
}

/// What receive() promised when it accepted `data` for `e`, checked against the result and
/// against decode() in the same checksum mode.
inline std::string check_accepted(const std::uint8_t* data, std::size_t size,
                                  const Expectation& e, const ReceivedAdvert& r) {
  const Advert& a = r.advert;
  if (a.version != e.version) return "receive accepted another version";
  if (a.vrid != e.vrid) return "receive accepted another VRID";
  if (r.source == e.own_address) return "receive accepted our own advert";
  if (r.ttl != kVrrpTtl && !(e.unicast && !r.destination.is_multicast())) {
    return "receive accepted TTL " + std::to_string(r.ttl);
  }
  if (e.unicast) {
    bool peer = false;
    for (const auto& p : e.unicast_peers) peer = peer || p == r.source;
    if (!peer) return "receive accepted a unicast advert from a non-peer";
  }
  if (a.version == Version::v2) {
    if (a.auth_type != e.auth_type || e.auth_type == AuthType::ip_ah) {
      return "receive accepted a wrong auth type";
    }
    if (e.auth_type == AuthType::simple_text && a.auth_data != e.auth_pass) {
      return "receive accepted a wrong password";
    }
    if (a.adver_int_cs != e.adver_int_cs) return "receive accepted a wrong interval";
  }
  if (a.priority != 255 && a.addresses.size() != e.vips.size()) {
    return "receive accepted a wrong address count";
  }
  auto d = decode(data, size, e.checksum_mode);
  if (!std::holds_alternative<ReceivedAdvert>(d)) return "receive accepted what decode rejects";
  const auto& rd = std::get<ReceivedAdvert>(d);
  if (rd.source != r.source || rd.destination != r.destination || rd.ttl != r.ttl) {
    return "receive and decode disagree on IPv4 fields";
  }
  if (auto diff = compare(rd.advert, a); !diff.empty()) {
    return "receive and decode disagree: " + diff;
  }
  return "";
}

/// The instances a packet is received for: profiles like the golden vectors' (v2 PASS, v3,
/// unicast), with VRID, addresses, interval and password taken from the packet's own bytes
/// where it decodes, so the later checks are reached, and a "matching" one built wholly from
/// the decoded advert.
inline std::vector<Expectation> expectations(const std::uint8_t* data, std::size_t size,
                                             ChecksumMode mode) {
  std::uint8_t vrid = 0;
  auto ip4 = parse_ipv4_packet(data, size);
  if (auto* p = std::get_if<IpPacket>(&ip4); p && p->payload_size >= 2) vrid = p->payload[1];
  std::optional<ReceivedAdvert> d;
  if (auto decoded = decode(data, size, mode); std::holds_alternative<ReceivedAdvert>(decoded)) {
    d = std::get<ReceivedAdvert>(decoded);
  }
  std::vector<IpAddress> vips = d ? d->advert.addresses : std::vector<IpAddress>{};

  std::vector<Expectation> out;
  Expectation pass;  // keepalived-v2-vrid55: auth_type PASS, auth_pass secret12
  pass.version = Version::v2;
  pass.vrid = vrid;
  pass.auth_type = AuthType::simple_text;
  const char* secret = "secret12";
  for (std::size_t i = 0; i < kAuthDataSize; ++i) {
    pass.auth_pass[i] = static_cast<std::uint8_t>(secret[i]);
  }
  pass.adver_int_cs = 100;
  pass.vips = vips;
  pass.own_address = ip("192.0.2.2");
  out.push_back(pass);

  Expectation v3;  // keepalived-v3-vrid56/58
  v3.version = Version::v3;
  v3.vrid = vrid;
  v3.vips = vips;
  v3.own_address = ip("192.0.2.2");
  out.push_back(v3);

  Expectation unicast;  // keepalived-v2-vrid59: 192.0.2.1 -> 192.0.2.2
  unicast.version = Version::v2;
  unicast.vrid = vrid;
  unicast.vips = vips;
  unicast.unicast = true;
  unicast.unicast_peers = {ip("192.0.2.1"), ip("192.0.2.3")};
  unicast.own_address = ip("192.0.2.2");
  out.push_back(unicast);

  Expectation unicast3 = unicast;
  unicast3.version = Version::v3;
  out.push_back(unicast3);

  if (d) {
    Expectation m;
    m.version = d->advert.version;
    m.vrid = d->advert.vrid;
    m.auth_type = d->advert.auth_type;
    m.auth_pass = d->advert.auth_data;
    m.adver_int_cs = d->advert.adver_int_cs;
    m.vips = vips;
    m.own_address = ip("192.0.2.254");
    out.push_back(m);
    m.own_address = d->source;  // our own advert looped back
    out.push_back(m);
    m.own_address = ip("192.0.2.254");
    m.unicast = true;
    m.unicast_peers = {d->source};
    out.push_back(m);
    // The same instance with one setting off (the VRID from the input's first byte):
    // check_accepted() must then see a rejection.
    m.unicast = false;
    m.vrid = data[0] == d->advert.vrid ? static_cast<std::uint8_t>(data[0] + 1) : data[0];
    out.push_back(m);
    m.vrid = d->advert.vrid;
    m.version = m.version == Version::v2 ? Version::v3 : Version::v2;
    out.push_back(m);
    m.version = d->advert.version;
    m.adver_int_cs = static_cast<std::uint16_t>(m.adver_int_cs + 100);
    out.push_back(m);
  }
  for (auto& e : out) e.checksum_mode = mode;
  return out;
}

/// A structurally valid Advert (encode() must take it) and its IP addresses, built from the
/// input bytes.
struct BuiltAdvert {
  Advert advert;
  IpAddress source;
  IpAddress destination;
  ChecksumMode mode = ChecksumMode::v3_pseudo_header;
};

inline BuiltAdvert build_advert(const std::uint8_t* data, std::size_t size) {
  Reader r(data, size);
  BuiltAdvert b;
  Advert& a = b.advert;
  const std::uint8_t flags = r.u8();
  a.version = (flags & 1) ? Version::v3 : Version::v2;
  const bool v4 = a.version == Version::v2 || !(flags & 2);
  b.mode = (flags & 4) ? ChecksumMode::v3_as_v2 : ChecksumMode::v3_pseudo_header;
  a.vrid = r.u8();
  a.priority = r.u8();
  if (a.version == Version::v2) {
    a.adver_int_cs = static_cast<std::uint16_t>((r.u8() % 255 + 1) * 100);
    a.auth_type = static_cast<AuthType>(r.u8() % 3);
    if (a.auth_type == AuthType::simple_text) {
      for (auto& x : a.auth_data) x = r.u8();
    }
  } else {
    a.adver_int_cs = static_cast<std::uint16_t>(r.u16() % 0x0fff + 1);
  }
  const std::size_t count = r.u8();
  for (std::size_t i = 0; i < count; ++i) a.addresses.push_back(address_from(r, v4));
  b.source = address_from(r, v4);
  if (flags & 8) {
    b.destination = address_from(r, v4);
  } else {
    b.destination = v4 ? ip("224.0.0.18") : ip("ff02::12");
  }
  return b;
}

/// "" when `b` (the Config read back from format_effective(a)) holds what `a` holds, else the
/// first differing field. Secrets print as ***, so only whether one is set is compared.
/// Lists every field of config/model.hpp: a field added there must be added here.
inline std::string config_difference(const config::Config& a, const config::Config& b) {
  if (a.global.router_id != b.global.router_id) return "router_id";
  if (a.global.vrrp_version != b.global.vrrp_version) return "vrrp_version";
  if (a.global.control_socket != b.global.control_socket) return "control_socket";
  if (a.global.state_file != b.global.state_file) return "state_file";
  if (a.instances.size() != b.instances.size()) return "number of vrrp_instance";
  for (std::size_t n = 0; n < a.instances.size(); ++n) {
    const config::VrrpInstance& i = a.instances[n];
    const config::VrrpInstance& j = b.instances[n];
    const std::string where = "vrrp_instance #" + std::to_string(n + 1) + ": ";
    if (i.name != j.name) return where + "name";
    if (i.state != j.state) return where + "state";
    if (i.interface != j.interface) return where + "interface";
    if (i.virtual_router_id != j.virtual_router_id) return where + "virtual_router_id";
    if (i.priority != j.priority) return where + "priority";
    if (i.nopreempt != j.nopreempt) return where + "nopreempt";
    if (i.preempt_delay != j.preempt_delay) return where + "preempt_delay";
    if (i.advert_int_cs != j.advert_int_cs) return where + "advert_int";
    if (i.version != j.version) return where + "version";
    if (i.auth_type != j.auth_type) return where + "auth_type";
    if (i.auth_pass.empty() != j.auth_pass.empty()) return where + "auth_pass set";
    if (!(i.virtual_ipaddress == j.virtual_ipaddress)) return where + "virtual_ipaddress";
    if (i.unicast_src_ip != j.unicast_src_ip) return where + "unicast_src_ip";
    if (i.unicast_peer != j.unicast_peer) return where + "unicast_peer";
    if (i.v3_checksum_as_v2 != j.v3_checksum_as_v2) return where + "v3_checksum_as_v2";
    if (i.garp_master_delay != j.garp_master_delay) return where + "garp_master_delay";
    if (i.garp_master_repeat != j.garp_master_repeat) return where + "garp_master_repeat";
    if (i.garp_master_refresh != j.garp_master_refresh) return where + "garp_master_refresh";
    if (i.garp_master_refresh_repeat != j.garp_master_refresh_repeat) {
      return where + "garp_master_refresh_repeat";
    }
    if (i.track_script.size() != j.track_script.size()) return where + "track_script count";
    for (std::size_t k = 0; k < i.track_script.size(); ++k) {
      const config::TrackedScript& x = i.track_script[k];
      const config::TrackedScript& y = j.track_script[k];
      if (x.weight != y.weight || x.weight_reverse != y.weight_reverse)
        return where + "track_script weight";
      config::VrrpScript xs = x.script, ys = y.script;
      xs.timeout = x.script.effective_timeout();  // printed as its effective value
      ys.timeout = y.script.effective_timeout();
      if (!(xs == ys)) return where + "track_script " + xs.name;
    }
    if (!(i.notify == j.notify)) return where + "notify scripts";
    if (i.redis.has_value() != j.redis.has_value()) return where + "redis block";
    if (!i.redis) continue;
    const config::RedisSettings& r = *i.redis;
    const config::RedisSettings& t = *j.redis;
    if (r.host != t.host) return where + "redis host";
    if (r.port != t.port) return where + "redis port";
    if (r.password.has_value() != t.password.has_value()) return where + "redis password set";
    if (r.password_file != t.password_file) return where + "redis password_file";
    if (r.user != t.user) return where + "redis user";
    if (r.check_interval != t.check_interval) return where + "redis check_interval";
    if (r.check_timeout != t.check_timeout) return where + "redis check_timeout";
    if (r.fall != t.fall) return where + "redis fall";
    if (r.rise != t.rise) return where + "redis rise";
    if (r.min_replicas_to_write != t.min_replicas_to_write) {
      return where + "redis min_replicas_to_write";
    }
    if (r.min_replicas_to_write && r.min_replicas_max_lag != t.min_replicas_max_lag) {
      return where + "redis min_replicas_max_lag";
    }
  }
  return "";
}

/// The lines inspect()'s reader sees in `text`: one per '\n', and a last one without it.
inline std::uint64_t count_lines(std::string_view text) {
  std::uint64_t n = 0;
  for (const char c : text) n += c == '\n';
  return n + (!text.empty() && text.back() != '\n');
}

/// "" when every line of `out` (what JsonReport wrote) is a JSON object with a string "type",
/// else the first that is not. `last_type` gets the type of the last line.
inline std::string check_json_lines(const std::string& out, std::string& last_type,
                                    nlohmann::json& last) {
  std::size_t at = 0;
  std::size_t number = 0;
  while (at < out.size()) {
    const auto end = out.find('\n', at);
    if (end == std::string::npos) return "JsonReport: output does not end in a newline";
    const std::string line = out.substr(at, end - at);
    at = end + 1;
    ++number;
    auto doc = nlohmann::json::parse(line, nullptr, false);
    if (doc.is_discarded()) {
      return "JsonReport: line " + std::to_string(number) + " is not JSON: " + line;
    }
    if (!doc.is_object() || !doc.contains("type") || !doc["type"].is_string()) {
      return "JsonReport: line " + std::to_string(number) + " is no object with a type: " + line;
    }
    last_type = doc["type"].get<std::string>();
    last = std::move(doc);
  }
  return "";
}

}  // namespace detail

/// Inputs longer than this are not inspected (each run stays fast).
constexpr std::size_t kMaxInspectInput = 64 * 1024;

/// The log inspection fuzz check for one input (fuzz_inspect). The first byte steers: bits
/// 3-4 both set: only
/// node n2's lines, bit 5: through a WindowSink of 09:31:25Z..09:32:45Z on 2026-12-01 (inside
/// the fixtures' times). The rest is split at 0x00 bytes into 1 to 3 streams (the third takes
/// any further 0x00 bytes), read as the logs of n1, n2 and n3 by inspect() through a FanOut of
/// TextReport, JsonReport and SvgTimeline. Then:
///  - parse_line() on every line of the first stream, and inspect(), render() and both
///    summary() never throw;
///  - every line JsonReport wrote is a JSON object with a string "type", the last one the
///    summary, with the Summary's counts;
///  - lines == events + redis_lines + not_understood, and lines is every line of the streams
///    (no node filter) or at most that many (a node filter);
///  - the SVG starts with "<?xml" or "<svg" and ends with "</svg>\n".
/// Returns "" or the first bug found.
inline std::string check_inspect(const std::uint8_t* data, std::size_t size) {
  using namespace redkeep::inspect;
  if (size == 0 || size > kMaxInspectInput) return "";
  const std::uint8_t control = data[0];
  const std::string node = (control & 0x18) == 0x18 ? "n2" : "";
  const bool windowed = (control & 0x20) != 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);

  std::vector<std::string> streams;
  std::size_t at = 0;
  while (streams.size() < 2) {
    const auto sep = rest.find('\0', at);
    if (sep == std::string_view::npos) break;
    streams.emplace_back(rest.substr(at, sep - at));
    at = sep + 1;
  }
  streams.emplace_back(rest.substr(at));

  std::string stage = "parse_line";
  try {
    // parse_line on every line of the first stream, as inspect()'s reader splits them.
    std::string_view first = streams[0];
    while (!first.empty()) {
      const auto end = first.find('\n');
      (void)parse_line(first.substr(0, end), "n1");
      if (end == std::string_view::npos) break;
      first.remove_prefix(end + 1);
    }

    std::uint64_t total_lines = 0;
    std::vector<std::istringstream> ins;
    ins.reserve(streams.size());
    std::vector<Input> inputs;
    static const char* kNodes[] = {"n1", "n2", "n3"};
    for (std::size_t i = 0; i < streams.size(); ++i) {
      total_lines += detail::count_lines(streams[i]);
      ins.emplace_back(streams[i]);
      inputs.push_back({&ins.back(), kNodes[i]});
    }

    std::ostringstream text_out, json_out;
    TextReport text(text_out);
    JsonReport json(json_out);
    SvgTimeline svg;
    FanOut fan({&text, &json, &svg});
    std::optional<Millis> since, until;
    if (windowed) {
      bool offset = false;
      std::size_t used = 0;
      since = parse_timestamp("2026-12-01T09:31:25Z", offset, used);
      until = parse_timestamp("2026-12-01T09:32:45Z", offset, used);
      if (!since || !until) return "parse_timestamp rejects a valid time";
    }
    WindowSink restricted(fan, since, until);
    Sink& sink = windowed ? static_cast<Sink&>(restricted) : fan;

    stage = "inspect";
    Summary summary = redkeep::inspect::inspect(inputs, node, sink);
    if (summary.lines != summary.events + summary.redis_lines + summary.not_understood) {
      return "summary: lines " + std::to_string(summary.lines) + " != events " +
             std::to_string(summary.events) + " + redis " + std::to_string(summary.redis_lines) +
             " + not understood " + std::to_string(summary.not_understood);
    }
    if (node.empty() ? summary.lines != total_lines : summary.lines > total_lines) {
      return "summary: " + std::to_string(summary.lines) + " lines counted of " +
             std::to_string(total_lines) + " read" + (node.empty() ? "" : " (node filter)");
    }
    if (summary.stepped_back > summary.events) return "summary: more stepped back than events";
    if (windowed) {
      const Summary whole = summary;
      stage = "WindowSink::restrict";
      summary = restricted.restrict(summary);
      if (summary.failovers > whole.failovers || summary.split_brains > whole.split_brains ||
          summary.lines != whole.lines) {
        return "WindowSink::restrict: more than the whole input";
      }
    }

    stage = "TextReport::summary";
    text.summary(summary);
    stage = "JsonReport::summary";
    json.summary(summary);
    stage = "SvgTimeline::render";
    const std::string picture = svg.render(summary);
    stage = "checks";

    std::string last_type;
    nlohmann::json last;
    if (auto bug = detail::check_json_lines(json_out.str(), last_type, last); !bug.empty()) {
      return bug;
    }
    if (last_type != "summary") return "JsonReport: the last line is not the summary";
    if (last["lines"] != summary.lines || last["events"] != summary.events ||
        last["redis_lines"] != summary.redis_lines ||
        last["not_understood"] != summary.not_understood) {
      return "JsonReport: the summary's counts differ from the Summary";
    }
    if (text_out.str().empty()) return "TextReport: wrote nothing";

    const std::string_view svg_text = picture;
    const std::string_view tail = "</svg>\n";
    if (svg_text.substr(0, 5) != "<?xml" && svg_text.substr(0, 4) != "<svg") {
      return "SVG: does not start with <?xml or <svg: " + std::string(svg_text.substr(0, 40));
    }
    if (svg_text.size() < tail.size() || svg_text.substr(svg_text.size() - tail.size()) != tail) {
      return "SVG: does not end with </svg>\\n";
    }
  } catch (const std::exception& e) {
    return stage + " threw: " + e.what();
  } catch (...) {
    return stage + " threw a non-std exception";
  }
  return "";
}

/// The VRRP fuzz checks for one input (fuzz_vrrp):
///  - the input as a received IPv4 packet: decode() in both checksum modes, and receive() for
///    the expectations() of each mode; whatever receive() accepts must satisfy what
///    validate.hpp documents and equal decode()'s result;
///  - the input as a VRRP message received over IPv6: receive_ipv6() accepts only what
///    decode_message() decodes, and gives the same advert;
///  - the input as a bare VRRP message: decode_message() from an IPv4 and an IPv6 source, with
///    no, v2 and v3 expected version, both modes; an accepted message re-encoded (when its
///    interval can be) must decode to the same advert;
///  - an Advert built from the input: encode() must succeed and decode_message(), decode() and
///    receive() for its own instance must give it back.
/// Returns "" or the first bug found. Never reads outside data[0..size).
inline std::string check_vrrp(const std::uint8_t* data, std::size_t size) {
  using namespace detail;
  for (const ChecksumMode mode : {ChecksumMode::v3_pseudo_header, ChecksumMode::v3_as_v2}) {
    (void)decode(data, size, mode);
    for (const Expectation& e : expectations(data, size, mode)) {
      auto r = receive(data, size, e);
      if (auto* accepted = std::get_if<ReceivedAdvert>(&r)) {
        if (auto bug = check_accepted(data, size, e, *accepted); !bug.empty()) return bug;
      }
    }
    // The input as a message received over IPv6 (receive_ipv6), for an instance built from
    // what decode_message() makes of it: accepted means decode_message()'s advert.
    {
      const IpAddress src = ip("fe80::1");
      const IpAddress dst = ip("ff02::12");
      Expectation e6;
      e6.version = Version::v3;
      e6.checksum_mode = mode;
      e6.own_address = ip("fe80::2");
      auto m = decode_message(data, size, src, dst, mode, Version::v3);
      if (auto* a = std::get_if<Advert>(&m)) {
        e6.vrid = a->vrid;
        e6.vips = a->addresses;
      }
      auto r = receive_ipv6(data, size, src, dst, 255, e6);
      if (auto* ok = std::get_if<ReceivedAdvert>(&r)) {
        if (!std::holds_alternative<Advert>(m))
          return "receive_ipv6 accepted what decode_message rejects";
        if (auto diff = compare(ok->advert, std::get<Advert>(m)); !diff.empty())
          return "receive_ipv6 and decode_message disagree: " + diff;
      }
    }
    const std::pair<IpAddress, IpAddress> ends[] = {{ip("192.0.2.1"), ip("224.0.0.18")},
                                                    {ip("fe80::1"), ip("ff02::12")}};
    for (const auto& [src, dst] : ends) {
      for (const std::optional<Version> want :
           {std::optional<Version>{}, std::optional<Version>{Version::v2},
            std::optional<Version>{Version::v3}}) {
        auto m = decode_message(data, size, src, dst, mode, want);
        auto* advert = std::get_if<Advert>(&m);
        if (advert == nullptr) continue;
        if (want && advert->version != *want) return "decode_message ignored expected_version";
        if (advert->version == Version::v2 && !src.is_v4()) return "decode_message: v2 over IPv6";
        if (auto bug = round_trip(*advert, src, dst, mode, false); !bug.empty()) {
          return "re-encoding a decoded message: " + bug;
        }
      }
    }
  }
  const BuiltAdvert b = build_advert(data, size);
  return round_trip(b.advert, b.source, b.destination, b.mode, true);
}

/// The config fuzz check for one input (fuzz_config): migrate() and parse_text() must not
/// crash; migrate's output of an input without syntax errors parses into blocks; when
/// parse_text() yields a Config, format_effective() of it must parse again without error, to
/// the same Config (config/print.hpp's promise; secrets aside) that prints the same text.
/// Returns "" or the bug found (with both texts).
inline std::string check_config(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // `redkeep migrate` takes the same files: it must not crash, and what it writes must lex and
  // parse into blocks whenever the input did.
  const config::MigrateResult migrated =
      config::migrate(text, "fuzz.conf", [](const std::string&) { return std::nullopt; });
  if (migrated.diagnostics.empty()) {
    const auto lexed = config::lex(migrated.text, "migrated.conf");
    const auto syntax = config::parse_syntax(lexed.tokens, "migrated.conf");
    if (!lexed.diagnostics.empty() || !syntax.diagnostics.empty())
      return "migrate output does not parse:\n" +
             (lexed.diagnostics.empty() ? syntax.diagnostics : lexed.diagnostics)
                 .front()
                 .to_string() +
             "\n--- migrated:\n" + migrated.text;
  }
  const config::LoadResult first = config::parse_text(text, "fuzz.conf");
  if (first.ok() != first.config.has_value()) return "ok() disagrees with config";
  for (const auto& d : first.diagnostics) {
    if (first.ok() && d.is_error()) return "a Config despite an error: " + d.to_string();
  }
  if (!first.ok()) return "";
  const std::string printed = config::format_effective(*first.config);
  const config::LoadResult second = config::parse_text(printed, "fuzz.conf");
  if (!second.ok()) {
    std::string errors;
    for (const auto& d : second.diagnostics) errors += d.to_string() + "\n";
    return "format_effective output does not parse:\n" + errors + "--- printed:\n" + printed;
  }
  if (auto field = detail::config_difference(*first.config, *second.config); !field.empty()) {
    return "format_effective output reads back to another Config (" + field + ")\n--- printed:\n" +
           printed;
  }
  const std::string reprinted = config::format_effective(*second.config);
  if (reprinted != printed) {
    return "format_effective round trip differs\n--- first:\n" + printed + "--- second:\n" +
           reprinted;
  }
  return "";
}

}  // namespace redkeep::fuzz
