#pragma once
// Helpers shared by the [config] tests.

#include <string>

#include "config/parser.hpp"

namespace redkeep::config::test {

// A valid instance; `extra` is inserted as lines 7.. (indent 4 puts keywords at column 5).
//  1 vrrp_instance A {
//  2     interface eth0
//  3     virtual_router_id 55
//  4     virtual_ipaddress {
//  5         192.0.2.100/24
//  6     }
//  7 <extra>
inline std::string instance(const std::string& extra = "", const std::string& name = "A") {
  return "vrrp_instance " + name +
         " {\n"
         "    interface eth0\n"
         "    virtual_router_id 55\n"
         "    virtual_ipaddress {\n"
         "        192.0.2.100/24\n"
         "    }\n" +
         extra + "}\n";
}

// instance() with one substring replaced.
inline std::string instance_with(const std::string& from, const std::string& to,
                                 const std::string& extra = "") {
  std::string text = instance(extra);
  const auto pos = text.find(from);
  if (pos != std::string::npos) text.replace(pos, from.size(), to);
  return text;
}

// Renames instance A.
inline std::string renamed(std::string text, const std::string& name) {
  text.replace(text.find("vrrp_instance A"), 15, "vrrp_instance " + name);
  return text;
}

// Gives instance A's VIP (192.0.2.100/24) another address: a second instance must not hold
// the same one.
inline std::string with_vip(std::string text, const std::string& vip) {
  text.replace(text.find("192.0.2.100/24"), 14, vip);
  return text;
}

inline LoadResult parse(const std::string& text) { return parse_text(text, "t.conf"); }

inline bool has_diagnostic(const LoadResult& r, Diagnostic::Severity s, const std::string& phrase) {
  for (const Diagnostic& d : r.diagnostics) {
    if (d.severity == s && d.message.find(phrase) != std::string::npos) return true;
  }
  return false;
}

inline std::string all_diagnostics(const LoadResult& r) {
  std::string out;
  for (const Diagnostic& d : r.diagnostics) out += d.to_string() + "\n";
  return out;
}

}  // namespace redkeep::config::test
