#include "ferry/actions/loopback_action_http.h"

#include <boost/url/encode.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cctype>
#include <boost/url/rfc/unreserved_chars.hpp>

#include "ferry/core/strings.h"
#include "ferry/http/client/fetch.h"

namespace ferry::actions {

LoopbackActionHttp::LoopbackActionHttp(std::shared_ptr<http::HttpClient> client,
                                       std::string secret_key)
    : client_(std::move(client)), secret_key_(std::move(secret_key)) {}

void LoopbackActionHttp::set_listening(std::string host, unsigned short port) {
  // A wildcard listen address is reached on loopback.
  host_ = host == "0.0.0.0" || host.empty() ? "127.0.0.1" : host == "::" ? "::1" : host;
  port_.store(port);
}

boost::asio::awaitable<Result<ActionResponse>> LoopbackActionHttp::send(
    const store::ConnectionKey& key, ActionRequest request) {
  const unsigned short port = port_.load();
  if (port == 0) co_return Error{Errc::unavailable, "the server is not listening yet"};
  // Characters a request target cannot carry raw (the braces of ${placeholders}, spaces)
  // are percent-encoded; the proxy decodes placeholders in that form too.
  std::string endpoint;
  for (char c : request.endpoint) {
    const bool keep = std::isalnum(static_cast<unsigned char>(c)) ||
                      std::string_view("-._~!$&'()*+,;=:@/%?").find(c) != std::string_view::npos;
    endpoint += keep ? std::string(1, c) : fmt::format("%{:02X}", static_cast<unsigned char>(c));
  }
  // Not trimmed: "/proxy/" + "/ex/jira/..." is the endpoint "/ex/jira/...", while
  // "//evil.test" stays "//evil.test" for the guard to refuse.
  // The endpoint keeps its own query (if any); params are appended, each encoded.
  std::string query;
  for (const auto& [name, value] : request.params) {
    query += query.empty() && endpoint.find('?') == std::string::npos ? '?' : '&';
    query += boost::urls::encode(name, boost::urls::unreserved_chars);
    query += '=';
    query += boost::urls::encode(value, boost::urls::unreserved_chars);
  }
  const std::string host = host_.find(':') != std::string::npos ? "[" + host_ + "]" : host_;
  http::FetchRequest fetch_request;
  fetch_request.method = http::bhttp::string_to_verb(request.method);
  if (fetch_request.method == http::Verb::unknown) {
    co_return Error{Errc::invalid_argument, "unsupported HTTP method " + request.method};
  }
  fetch_request.url = "http://" + host + ":" + std::to_string(port) + "/proxy/" + endpoint + query;
  fetch_request.headers = {{"Authorization", "Bearer " + secret_key_},
                           {"Connection-Id", key.connection_id},
                           {"Provider-Config-Key", key.provider_config_key}};
  if (request.retries) fetch_request.headers.emplace_back("Retries", std::to_string(*request.retries));
  bool has_content_type = false;
  for (const auto& [name, value] : request.headers) {
    if (iequals(name, "Content-Type")) has_content_type = true;
    fetch_request.headers.emplace_back("Nango-Proxy-" + name, value);
  }
  if (!request.body.empty() && !has_content_type) {
    fetch_request.headers.emplace_back("Content-Type", "application/json");
  }
  fetch_request.body = std::move(request.body);
  // The proxy bounds each attempt and the retries; this only guards against a lost server.
  fetch_request.timeout = std::chrono::hours(1);
  fetch_request.max_response_bytes = 64 * 1024 * 1024;
  auto response = co_await http::fetch(*client_, std::move(fetch_request));
  if (!response) co_return response.error();
  if (std::string code = response->header("X-Ferry-Error"); !code.empty()) {
    // Ferry's own refusal (guard, unknown connection, refresh failure, unreachable...).
    std::string message = response->body;
    auto body = nlohmann::json::parse(response->body, nullptr, false);
    if (body.is_object() && body.contains("error") && body["error"].contains("message")) {
      message = body["error"]["message"].get<std::string>();
    }
    co_return Error{errc_from_name(code).value_or(Errc::upstream_unreachable), message};
  }
  ActionResponse out;
  out.status = response->status;
  out.headers = std::move(response->headers);
  out.body = std::move(response->body);
  co_return out;
}

}  // namespace ferry::actions
