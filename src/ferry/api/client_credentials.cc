#include "ferry/api/client_credentials.h"

#include "ferry/api/handler_support.h"
#include "ferry/auth/oauth2/token_client.h"

namespace ferry::api {
namespace {

using nlohmann::json;

// The client_credentials integration a POST /connections body asks tokens for, or null.
const config::Integration* wants_tokens(const Services& services, const json& body) {
  if (!body.is_object()) return nullptr;
  const json key = body.value("provider_config_key", json());
  if (!key.is_string()) return nullptr;
  const config::Integration* integration =
      services.project->find_integration(key.get<std::string>());
  if (!integration || integration->auth.auth_mode != config::AuthMode::oauth2 ||
      integration->auth.grant_type != config::GrantType::client_credentials) {
    return nullptr;
  }
  const json credentials = body.value("credentials", json());
  if (credentials.is_null()) return integration;
  // Nango's name for these credentials; anything else (OAUTH2 tokens) is imported as is.
  if (credentials.is_object() && credentials.value("type", "") == "OAUTH2_CC") return integration;
  return nullptr;
}

}  // namespace

http::Handler with_client_credentials(std::shared_ptr<const Services> services,
                                      http::Handler inner) {
  return [services = std::move(services), inner = std::move(inner)](
             http::RequestContext& ctx) -> boost::asio::awaitable<http::Response> {
    json body = json::parse(ctx.request.body(), nullptr, false);
    const config::Integration* integration = wants_tokens(*services, body);
    if (integration && services->exchange) {
      auto grant = co_await auth::oauth2::client_credentials_tokens(
          *services->exchange, *integration, services->clock->now());
      if (!grant) co_return fail(ctx, grant.error());
      body["credentials"] = store::credentials_to_json(auth::oauth2::stored_credentials(*grant));
      ctx.request.body() = body.dump();
      ctx.request.prepare_payload();
    }
    co_return co_await inner(ctx);
  };
}

}  // namespace ferry::api
