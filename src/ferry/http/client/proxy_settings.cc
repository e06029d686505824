#include "ferry/http/client/proxy_settings.h"

#include <cstdlib>

#include "ferry/core/strings.h"
#include "ferry/core/url_parse.h"

namespace ferry::http {
namespace {

Result<std::optional<Origin>> parse_proxy(std::string_view name, std::string_view value) {
  value = trim(value);
  if (value.empty()) return std::optional<Origin>();
  // "host:port" without a scheme is common in the wild; it means http.
  std::string text(value);
  if (text.find("://") == std::string::npos) text = "http://" + text;
  auto url = ferry::parse_absolute_uri(text);
  if (!url || !url->has_authority() || url->host().empty()) {
    return Error{Errc::invalid_argument, std::string(name) + " is not a proxy URL"};
  }
  if (url->scheme() != "http") {
    return Error{Errc::invalid_argument,
                 std::string(name) + " must be an http:// proxy (TLS to the proxy is not supported)"};
  }
  Origin proxy;
  proxy.host = url->host_address();
  proxy.port = url->has_port() ? url->port_number() : 80;
  return std::optional<Origin>(proxy);
}

const char* env(const char* upper, const char* lower) {
  const char* value = std::getenv(upper);
  if (!value || !*value) value = std::getenv(lower);
  return value ? value : "";
}

}  // namespace

Result<ProxySettings> ProxySettings::from_environment() {
  return from_values(env("HTTPS_PROXY", "https_proxy"), env("HTTP_PROXY", "http_proxy"),
                     env("NO_PROXY", "no_proxy"));
}

Result<ProxySettings> ProxySettings::from_values(std::string_view https_proxy,
                                                 std::string_view http_proxy,
                                                 std::string_view no_proxy) {
  ProxySettings settings;
  auto https = parse_proxy("HTTPS_PROXY", https_proxy);
  if (!https) return https.error();
  auto http = parse_proxy("HTTP_PROXY", http_proxy);
  if (!http) return http.error();
  settings.https_proxy_ = *https;
  settings.http_proxy_ = *http;
  for (const auto& entry : split(no_proxy, ',')) {
    std::string e = to_lower(trim(entry));
    if (!e.empty()) settings.no_proxy_.push_back(e);
  }
  return settings;
}

std::optional<Origin> ProxySettings::proxy_for(const Origin& target) const {
  const auto& proxy = target.tls ? https_proxy_ : http_proxy_;
  if (!proxy) return std::nullopt;
  const std::string host = to_lower(target.host);
  const std::string host_port = host + ":" + std::to_string(target.port);
  for (const auto& entry : no_proxy_) {
    if (entry == "*") return std::nullopt;
    if (entry == host || entry == host_port) return std::nullopt;
    // "example.com" and ".example.com" both cover the subdomains of example.com.
    std::string suffix = entry.front() == '.' ? entry : "." + entry;
    if (host.size() > suffix.size() &&
        host.compare(host.size() - suffix.size(), suffix.size(), suffix) == 0) {
      return std::nullopt;
    }
  }
  return proxy;
}

}  // namespace ferry::http
