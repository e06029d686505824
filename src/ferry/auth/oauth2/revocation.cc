#include "ferry/auth/oauth2/revocation.h"

#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>

#include "ferry/auth/oauth2/token_client.h"
#include "ferry/http/client/fetch.h"

namespace ferry::auth::oauth2 {
namespace {

namespace net = boost::asio;

}  // namespace

net::awaitable<Status> revoke_tokens(http::Exchange& exchange,
                                     const config::Integration& integration,
                                     const store::Credentials& credentials) {
  const std::string& url = integration.auth.revocation_url;
  if (url.empty()) {
    co_return Error{Errc::invalid_argument,
                    "integration " + integration.key + " has no revocation endpoint"};
  }
  std::map<std::string, std::string> params;
  if (!credentials.refresh_token.empty()) {
    params = {{"token", credentials.refresh_token}, {"token_type_hint", "refresh_token"}};
  } else if (!credentials.access_token.empty()) {
    params = {{"token", credentials.access_token}, {"token_type_hint", "access_token"}};
  } else {
    co_return Error{Errc::invalid_argument, "the connection has no token to revoke"};
  }
  const std::string request_token_value = params.at("token");
  const std::string host = host_of(url);
  http::FetchRequest request =
      client_post(integration, url, std::move(params), config::BodyFormat::form);
  auto answer = co_await http::fetch(exchange, std::move(request));
  if (!answer) co_return answer.error();
  if (answer->status >= 200 && answer->status < 300) co_return ok();
  std::string said =
      provider_message(nlohmann::json::parse(answer->body, nullptr, false), answer->body);
  // Whatever the provider echoes, the token is not repeated.
  if (said.find(request_token_value) != std::string::npos) said.clear();
  const std::string message =
      fmt::format("the revocation endpoint of {} answered {}{}", host, answer->status,
                  said.empty() ? "" : ": " + said);
  co_return Error{answer->status >= 400 && answer->status < 500 ? Errc::upstream_auth_failed
                                                                : Errc::upstream_unreachable,
                  message};
}

}  // namespace ferry::auth::oauth2
