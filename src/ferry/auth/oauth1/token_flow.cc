#include "ferry/auth/oauth1/token_flow.h"

#include <fmt/format.h>

#include <boost/url/url.hpp>
#include <ctime>

#include "ferry/core/url_encoding.h"
#include "ferry/core/url_parse.h"
#include "ferry/http/client/fetch.h"

namespace ferry::auth::oauth1 {

namespace net = boost::asio;
using nlohmann::json;

namespace {

// Where the signed header's value comes from, for the sink check's message.
constexpr http::HeaderSource kFromOAuth1 = "the integration's OAuth 1.0a settings";
// A provider's words in an error message are cut here.
constexpr std::size_t kMaxProviderMessageBytes = 200;

std::string host_of(const std::string& url) {
  auto parsed = parse_absolute_uri(url);
  return parsed ? std::string(parsed->host()) : std::string("the provider");
}

Credentials client_credentials(const config::Integration& integration) {
  return {integration.oauth_client_id, integration.oauth_client_secret, "", ""};
}

// `url` with `params` appended to its query.
std::string with_query(const std::string& url, const std::map<std::string, std::string>& params) {
  if (params.empty()) return url;
  std::string query;
  for (const auto& [name, value] : params) append_query_param(query, name, value);
  const std::size_t fragment = url.find('#');
  std::string base = url.substr(0, fragment);
  return base + (base.find('?') == std::string::npos ? "?" : "&") + query;
}

// A signed, body-less request of `method` to `url` carrying `extra` protocol parameters.
Result<http::FetchRequest> signed_fetch(const config::Integration& integration,
                                        const std::string& method, const std::string& url,
                                        const Credentials& credentials, Parameters extra) {
  ProtocolInputs inputs;
  inputs.nonce = oauth_nonce();
  inputs.timestamp = static_cast<long long>(std::time(nullptr));
  inputs.extra = std::move(extra);
  auto header = authorization_header({method, url, {}}, credentials,
                                     signature_method_of(integration), inputs);
  if (!header) return header.error();
  http::FetchRequest request;
  request.method = method == "GET" ? http::Verb::get : http::Verb::post;
  request.url = url;
  request.headers.push_back({"Authorization", std::move(*header), kFromOAuth1});
  request.headers.push_back({"Accept", "application/x-www-form-urlencoded, */*", http::kFromFerry});
  if (request.method == http::Verb::post) {
    // An empty form: some providers refuse a POST without a Content-Type.
    request.headers.push_back(
        {"Content-Type", "application/x-www-form-urlencoded", http::kFromFerry});
  }
  if (integration.http_request_timeout && integration.http_request_timeout->count() > 0) {
    request.timeout = *integration.http_request_timeout;
  }
  return request;
}

// The form-encoded answer of a credentials endpoint, checked for a token and a secret.
Result<Parameters> credentials_answer(const http::FetchResponse& response, const std::string& host,
                                      std::string_view what) {
  if (response.status >= 400 && response.status < 500) {
    std::string said = response.body.substr(0, kMaxProviderMessageBytes);
    return Error{Errc::upstream_auth_failed,
                 fmt::format("the {} endpoint of {} refused the request ({}): {}", what, host,
                             response.status, said.empty() ? "no body" : said)};
  }
  if (response.status < 200 || response.status >= 300) {
    return Error{Errc::upstream_unreachable,
                 fmt::format("the {} endpoint of {} answered {}", what, host, response.status)};
  }
  auto parsed = parse_form(response.body);
  auto missing = [&](const char* name) {
    return Error{Errc::upstream_unreachable,
                 fmt::format("the {} endpoint of {} answered without {}", what, host, name)};
  };
  if (!parsed) return missing("a form-encoded body");
  auto value = [&](std::string_view name) -> const std::string* {
    for (const auto& [key, v] : *parsed) {
      if (key == name) return &v;
    }
    return nullptr;
  };
  const std::string* token = value("oauth_token");
  if (!token || token->empty()) return missing("oauth_token");
  if (!value("oauth_token_secret")) return missing("oauth_token_secret");
  return parsed;
}

std::string first(const Parameters& parameters, std::string_view name) {
  for (const auto& [key, value] : parameters) {
    if (key == name) return value;
  }
  return {};
}

}  // namespace

std::string pack(const TemporaryCredentials& credentials) {
  return json{{"oauth_token", credentials.token}, {"oauth_token_secret", credentials.secret}}
      .dump();
}

Result<TemporaryCredentials> unpack_temporary(std::string_view packed) {
  json parsed = json::parse(packed, nullptr, false);
  if (!parsed.is_object() || !parsed.contains("oauth_token") ||
      !parsed["oauth_token"].is_string() || !parsed.contains("oauth_token_secret") ||
      !parsed["oauth_token_secret"].is_string()) {
    return Error{Errc::invalid_argument,
                 "this authorization was not started as an OAuth 1.0a flow; start it again"};
  }
  return TemporaryCredentials{parsed["oauth_token"].get<std::string>(),
                              parsed["oauth_token_secret"].get<std::string>()};
}

SignatureMethod signature_method_of(const config::Integration& integration) {
  auto method = signature_method_from_name(integration.auth.signature_method);
  return method ? *method : SignatureMethod::hmac_sha1;
}

net::awaitable<Result<TemporaryCredentials>> request_temporary_credentials(
    http::Exchange& exchange, const config::Integration& integration,
    const std::string& callback_url) {
  const std::string url = with_query(integration.auth.request_url, integration.auth.request_params);
  const std::string host = host_of(url);
  Parameters callback = {{"oauth_callback", callback_url}};
  auto request = signed_fetch(integration, integration.auth.request_http_method, url,
                              client_credentials(integration), std::move(callback));
  if (!request) co_return request.error();
  auto response = co_await http::fetch(exchange, std::move(*request));
  if (!response) co_return response.error();
  auto answer = credentials_answer(*response, host, "request-token");
  if (!answer) co_return answer.error();
  // RFC 5849 §2.1: "MUST be present and set to true"; an older (1.0) provider would not
  // return the user to the callback with a verifier.
  if (first(*answer, "oauth_callback_confirmed") != "true") {
    co_return Error{Errc::upstream_unreachable,
                    fmt::format("the request-token endpoint of {} did not confirm the callback "
                                "(oauth_callback_confirmed is not \"true\")",
                                host)};
  }
  co_return TemporaryCredentials{first(*answer, "oauth_token"),
                                 first(*answer, "oauth_token_secret")};
}

Result<std::string> authorization_url(const config::Integration& integration,
                                      const std::string& temporary_token,
                                      const AuthorizationInputs& inputs) {
  auto parsed = parse_uri(integration.auth.authorization_url);  // its fragment is dropped
  if (!parsed || (parsed->scheme() != "http" && parsed->scheme() != "https")) {
    return Error{Errc::config_invalid, "the integration's auth.authorization_url is not an "
                                       "absolute http(s) URL"};
  }
  std::map<std::string, std::string> params;
  if (!integration.oauth_scopes.empty()) {
    std::string scope;
    for (const auto& s : integration.oauth_scopes) {
      if (!scope.empty()) scope += integration.auth.scope_separator;
      scope += s;
    }
    params["scope"] = scope;
  }
  for (const auto& [name, value] : integration.auth.authorization_params) params[name] = value;
  for (const auto& [name, value] : inputs.extra_params) params[name] = value;
  params["oauth_token"] = temporary_token;
  boost::urls::url url(*parsed);
  url.remove_fragment();
  for (const auto& [name, value] : params) url.params().set(name, value);
  // Boost.URL leaves some sub-delimiters raw; the query is rebuilt with every value
  // encoded as percent_encode() does, like the OAuth 2 authorization URL.
  std::string query;
  for (const auto& param : url.params()) append_query_param(query, param.key, param.value);
  url.set_encoded_query(query);
  return std::string(url.buffer());
}

net::awaitable<Result<TokenCredentials>> request_token_credentials(
    http::Exchange& exchange, const config::Integration& integration,
    const TemporaryCredentials& temporary, const std::string& verifier, TimePoint now) {
  const std::string& url = integration.auth.token_url;
  const std::string host = host_of(url);
  Credentials credentials = client_credentials(integration);
  credentials.token = temporary.token;
  credentials.token_secret = temporary.secret;
  Parameters extra = {{"oauth_verifier", verifier}};
  auto request = signed_fetch(integration, integration.auth.token_http_method, url, credentials,
                              std::move(extra));
  if (!request) co_return request.error();
  auto response = co_await http::fetch(exchange, std::move(*request));
  if (!response) co_return response.error();
  auto answer = credentials_answer(*response, host, "access-token");
  if (!answer) co_return answer.error();
  TokenCredentials grant;
  grant.token = first(*answer, "oauth_token");
  grant.secret = first(*answer, "oauth_token_secret");
  for (const auto& [name, value] : *answer) grant.raw[name] = value;
  grant.issued_at = now;
  co_return grant;
}

store::Credentials stored_credentials(const TokenCredentials& grant) {
  store::Credentials credentials;
  credentials.type = store::CredentialType::oauth1;
  credentials.oauth_token = grant.token;
  credentials.oauth_token_secret = grant.secret;
  credentials.raw = grant.raw;
  return credentials;
}

}  // namespace ferry::auth::oauth1
