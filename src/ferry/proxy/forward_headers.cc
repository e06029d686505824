#include "ferry/proxy/forward_headers.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>

#include "ferry/core/strings.h"

namespace ferry::proxy {
namespace {

constexpr std::string_view kProxyPrefix = "Nango-Proxy-";

constexpr std::array<std::string_view, 9> kHopByHop = {
    "Connection",        "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "TE", "Trailer",
    "Transfer-Encoding", "Upgrade",    "Proxy-Connection"};

// Set by the forwarder for the upstream hop, never copied from the caller.
constexpr std::array<std::string_view, 3> kFramedByForwarder = {"Host", "Content-Length", "Expect"};

// Instructions to Ferry itself (DESIGN.md §3 and the Nango SDK's proxy headers).
constexpr std::array<std::string_view, 10> kControlHeaders = {
    "Connection-Id",     "Provider-Config-Key",   "Retries",    "Retry-On",
    "Base-Url-Override", "Nango-Activity-Log-Id", "Decompress", "Forward-Headers-On-Redirect",
    "Nango-Is-Sync",     "Nango-Is-Dry-Run"};

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& names, std::string_view name) {
  return std::any_of(names.begin(), names.end(),
                     [&](std::string_view n) { return iequals(n, name); });
}

// Field names listed in every Connection header of `headers` (RFC 9110 §7.6.1).
template <class Fields>
std::vector<std::string> connection_options(const Fields& headers) {
  std::vector<std::string> out;
  for (const auto& [name, value] : headers) {
    if (!iequals(name, "Connection")) continue;
    for (const auto& option : split(value, ',')) {
      auto trimmed = trim(option);
      if (!trimmed.empty()) out.emplace_back(trimmed);
    }
  }
  return out;
}

bool is_listed(const std::vector<std::string>& names, std::string_view name) {
  return std::any_of(names.begin(), names.end(),
                     [&](const std::string& n) { return iequals(n, name); });
}

// A field the upstream hop must never get from the caller, whatever its spelling.
bool never_forwarded(std::string_view name) {
  return is_hop_by_hop(name) || contains(kFramedByForwarder, name);
}

// The name a `Nango-Proxy-<Name>` field goes upstream as, or nullopt when `name` has no
// such prefix or the renamed field must be dropped.
std::optional<std::string> renamed(std::string_view name,
                                   const std::vector<std::string>& listed) {
  if (!starts_with_icase(name, kProxyPrefix) || name.size() == kProxyPrefix.size()) {
    return std::nullopt;
  }
  std::string target(name.substr(kProxyPrefix.size()));
  if (is_listed(listed, name) || never_forwarded(target)) return std::nullopt;
  return target;
}

bool is_dropped_plain(std::string_view name) {
  return never_forwarded(name) || iequals(name, "Authorization") ||
         iequals(name, "Accept-Encoding") || contains(kControlHeaders, name);
}

}  // namespace

bool is_hop_by_hop(std::string_view name) { return contains(kHopByHop, name); }

std::vector<http::OutboundHeader> forward_request_headers(const HeaderViews& inbound) {
  const auto listed = connection_options(inbound);
  // Names the caller set explicitly; they replace plain fields of the same name.
  std::vector<std::string> explicit_names;
  for (const auto& field : inbound) {
    if (auto target = renamed(field.first, listed)) explicit_names.push_back(std::move(*target));
  }
  std::vector<http::OutboundHeader> out;
  out.reserve(inbound.size() + 1);
  for (const auto& [name, value] : inbound) {
    if (starts_with_icase(name, kProxyPrefix)) {
      if (auto target = renamed(name, listed)) {
        out.push_back({std::move(*target), std::string(value), kFromNangoProxyHeader});
      }
      continue;
    }
    if (is_listed(listed, name) || is_dropped_plain(name) || is_listed(explicit_names, name)) {
      continue;
    }
    out.push_back({std::string(name), std::string(value), http::kFromCaller});
  }
  if (!is_listed(explicit_names, "Accept-Encoding")) {
    out.push_back({"Accept-Encoding", std::string(kUpstreamAcceptEncoding), http::kFromFerry});
  }
  return out;
}

std::vector<http::OutboundHeader> action_request_headers(const HeaderList& headers) {
  std::vector<http::OutboundHeader> out;
  out.reserve(headers.size() + 1);
  bool has_accept_encoding = false;
  for (const auto& [name, value] : headers) {
    if (never_forwarded(name)) continue;
    if (iequals(name, "Accept-Encoding")) has_accept_encoding = true;
    out.push_back({name, value, kFromAction});
  }
  if (!has_accept_encoding) {
    out.push_back({"Accept-Encoding", std::string(kUpstreamAcceptEncoding), http::kFromFerry});
  }
  return out;
}

HeaderViews filter_response_headers(const HeaderViews& upstream) {
  const auto listed = connection_options(upstream);
  HeaderViews out;
  out.reserve(upstream.size());
  for (const auto& [name, value] : upstream) {
    if (is_hop_by_hop(name) || is_listed(listed, name) || iequals(name, "Content-Length")) {
      continue;
    }
    out.emplace_back(name, value);
  }
  return out;
}

}  // namespace ferry::proxy
