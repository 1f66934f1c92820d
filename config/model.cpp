#include "config/model.hpp"

#include <charconv>

namespace redkeep::config {

std::optional<ListenAddress> parse_listen_address(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  std::string host = text.substr(0, colon);
  const bool bracketed = host.front() == '[';
  if (bracketed) {
    if (host.size() < 3 || host.back() != ']') return std::nullopt;
    host = host.substr(1, host.size() - 2);
  }
  auto address = net::IpAddress::parse(host);
  // IPv6 only in brackets: "::1:9470" would be ambiguous.
  if (!address || address->is_v4() == bracketed) return std::nullopt;
  unsigned port = 0;
  const char* first = text.data() + colon + 1;
  const char* last = text.data() + text.size();
  const auto [end, ec] = std::from_chars(first, last, port);
  if (ec != std::errc() || end != last || first == last || port == 0 || port > 65535)
    return std::nullopt;
  return ListenAddress{*address, static_cast<std::uint16_t>(port)};
}

}  // namespace redkeep::config
