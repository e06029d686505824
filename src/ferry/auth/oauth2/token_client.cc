#include "ferry/auth/oauth2/token_client.h"

#include <cmath>
#include <fmt/format.h>

#include "ferry/core/crypto.h"
#include "ferry/core/url_encoding.h"
#include "ferry/core/url_parse.h"
#include "ferry/http/client/fetch.h"

namespace ferry::auth::oauth2 {

using nlohmann::json;
namespace net = boost::asio;

namespace {

// Where the token request's header values come from, for the sink check's message.
constexpr http::HeaderSource kFromTokenRequest = "the integration's OAuth settings";

// A provider's words in an error message are cut here: whatever it sends, the message
// stays a line.
constexpr std::size_t kMaxProviderMessageBytes = 200;

}  // namespace

std::string host_of(const std::string& url) {
  auto parsed = ferry::parse_absolute_uri(url);
  return parsed ? std::string(parsed->host()) : std::string("the token endpoint");
}

std::string provider_message(const json& body, std::string_view text) {
  if (body.is_object() && body.contains("error")) {
    std::string message = body["error"].is_string() ? body["error"].get<std::string>() : body["error"].dump();
    if (body.contains("error_description") && body["error_description"].is_string()) {
      message += ": " + body["error_description"].get<std::string>();
    }
    return message.substr(0, kMaxProviderMessageBytes);
  }
  return text.empty() ? std::string("no body") : std::string(text.substr(0, kMaxProviderMessageBytes));
}

Result<TokenGrant> parse_token_response(int status, std::string_view body, std::string_view host,
                                        TimePoint now) {
  json parsed = json::parse(body, nullptr, false);
  if (status >= 400 && status < 500) {
    return Error{Errc::upstream_auth_failed,
                 fmt::format("the token endpoint of {} refused the request ({}): {}", host, status,
                             provider_message(parsed, body))};
  }
  if (status < 200 || status >= 300) {
    return Error{Errc::upstream_unreachable,
                 fmt::format("the token endpoint of {} answered {}", host, status)};
  }
  if (!parsed.is_object()) {
    return Error{Errc::upstream_unreachable,
                 fmt::format("the token endpoint of {} did not answer with a JSON object", host)};
  }
  if (!parsed.contains("access_token") || !parsed["access_token"].is_string() ||
      parsed["access_token"].get<std::string>().empty()) {
    return Error{Errc::upstream_unreachable,
                 fmt::format("the token response of {} has no access_token", host)};
  }
  TokenGrant grant;
  grant.issued_at = now;
  grant.access_token = parsed["access_token"].get<std::string>();
  if (parsed.contains("refresh_token") && parsed["refresh_token"].is_string()) {
    grant.refresh_token = parsed["refresh_token"].get<std::string>();
  }
  if (parsed.contains("expires_in") && !parsed["expires_in"].is_null()) {
    const json& value = parsed["expires_in"];
    double seconds = NAN;
    if (value.is_number()) {
      seconds = value.get<double>();
    } else if (value.is_string()) {
      // Some providers send the number as a string.
      const std::string text = value.get<std::string>();
      char* end = nullptr;
      seconds = std::strtod(text.c_str(), &end);
      if (text.empty() || *end != '\0') seconds = NAN;
    }
    if (!std::isfinite(seconds) || seconds < 0) {
      return Error{Errc::upstream_unreachable,
                   fmt::format("the token response of {} has an expires_in that is not a number",
                               host)};
    }
    // Clamped before any conversion: a double beyond int64's range has no defined cast.
    const double max_seconds = static_cast<double>(kMaxTokenLifetime.count());
    const auto lifetime =
        seconds >= max_seconds
            ? std::chrono::milliseconds(kMaxTokenLifetime)
            : std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
    grant.expires_at = now + lifetime;
  }
  grant.raw = std::move(parsed);
  return grant;
}

http::FetchRequest client_post(const config::Integration& integration, const std::string& url,
                               std::map<std::string, std::string> params,
                               config::BodyFormat format) {
  http::FetchRequest request;
  request.method = http::Verb::post;
  request.url = url;
  request.headers.push_back({"Accept", "application/json", http::kFromFerry});
  if (integration.auth.authorization_method == config::AuthorizationMethod::header) {
    // RFC 6749 §2.3.1: HTTP Basic with the form-encoded id and secret.
    const std::string pair = percent_encode(integration.oauth_client_id) + ":" +
                             percent_encode(integration.oauth_client_secret);
    request.headers.push_back(
        {"Authorization", "Basic " + base64_encode(pair), kFromTokenRequest});
  } else {
    params["client_id"] = integration.oauth_client_id;
    params["client_secret"] = integration.oauth_client_secret;
  }
  if (format == config::BodyFormat::json) {
    request.headers.push_back({"Content-Type", "application/json", http::kFromFerry});
    request.body = json(params).dump();
  } else {
    request.headers.push_back(
        {"Content-Type", "application/x-www-form-urlencoded", http::kFromFerry});
    request.body = form_encode({params.begin(), params.end()});
  }
  if (integration.http_request_timeout && integration.http_request_timeout->count() > 0) {
    request.timeout = *integration.http_request_timeout;
  }
  return request;
}

net::awaitable<Result<TokenGrant>> request_token(http::Exchange& exchange,
                                                 const config::Integration& integration,
                                                 const std::string& url,
                                                 std::map<std::string, std::string> grant,
                                                 TimePoint now) {
  for (const auto& [name, value] : integration.auth.token_params) grant.emplace(name, value);
  http::FetchRequest request =
      client_post(integration, url, std::move(grant), integration.auth.body_format);
  const std::string host = host_of(url);
  auto response = co_await http::fetch(exchange, std::move(request));
  if (!response) co_return response.error();
  co_return parse_token_response(response->status, response->body, host, now);
}

net::awaitable<Result<TokenGrant>> exchange_code(http::Exchange& exchange,
                                                 const config::Integration& integration,
                                                 const std::string& code,
                                                 const std::string& redirect_uri,
                                                 const std::string& code_verifier, TimePoint now) {
  std::map<std::string, std::string> grant = {
      {"grant_type", "authorization_code"}, {"code", code}, {"redirect_uri", redirect_uri}};
  if (!code_verifier.empty()) grant["code_verifier"] = code_verifier;
  co_return co_await request_token(exchange, integration, integration.auth.token_url,
                                   std::move(grant), now);
}

net::awaitable<Result<TokenGrant>> refresh_tokens(http::Exchange& exchange,
                                                  const config::Integration& integration,
                                                  const std::string& refresh_token,
                                                  TimePoint now) {
  const std::string& url = integration.auth.refresh_url.empty() ? integration.auth.token_url
                                                                : integration.auth.refresh_url;
  // Named first: GCC 12 cannot compile a braced initializer inside a co_await expression.
  std::map<std::string, std::string> grant = {{"grant_type", "refresh_token"},
                                              {"refresh_token", refresh_token}};
  co_return co_await request_token(exchange, integration, url, std::move(grant), now);
}

net::awaitable<Result<TokenGrant>> client_credentials_tokens(http::Exchange& exchange,
                                                             const config::Integration& integration,
                                                             TimePoint now) {
  std::map<std::string, std::string> grant = {{"grant_type", "client_credentials"}};
  if (!integration.oauth_scopes.empty()) {
    std::string scope;
    for (const auto& s : integration.oauth_scopes) {
      if (!scope.empty()) scope += integration.auth.scope_separator;
      scope += s;
    }
    grant["scope"] = scope;
  }
  co_return co_await request_token(exchange, integration, integration.auth.token_url,
                                   std::move(grant), now);
}

store::Credentials stored_credentials(const TokenGrant& grant,
                                      const std::string& previous_refresh_token) {
  store::Credentials credentials;
  credentials.type = store::CredentialType::oauth2;
  credentials.access_token = grant.access_token;
  credentials.refresh_token =
      grant.refresh_token.empty() ? previous_refresh_token : grant.refresh_token;
  credentials.expires_at = grant.expires_at;
  credentials.raw = grant.raw;
  return credentials;
}

}  // namespace ferry::auth::oauth2
