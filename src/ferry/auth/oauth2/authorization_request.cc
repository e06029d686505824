#include "ferry/auth/oauth2/authorization_request.h"

#include <boost/url/url.hpp>
#include <fmt/format.h>

#include <utility>
#include <vector>

#include "ferry/auth/placeholders.h"
#include "ferry/core/url_encoding.h"
#include "ferry/core/url_parse.h"

namespace ferry::auth::oauth2 {
namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

// Later values replace earlier ones but keep the earlier position, so the URL reads in the
// documented order whatever overrides it.
void put(Params& params, const std::string& name, const std::string& value) {
  for (auto& [existing, old] : params) {
    if (existing == name) {
      old = value;
      return;
    }
  }
  params.emplace_back(name, value);
}

std::string joined_scopes(const config::Integration& integration) {
  std::string scope;
  for (const auto& s : integration.oauth_scopes) {
    if (!scope.empty()) scope += integration.auth.scope_separator;
    scope += s;
  }
  return scope;
}

Result<std::string> resolved_base(const config::Integration& integration,
                                  const AuthorizationInputs& inputs) {
  const std::string& url = integration.auth.authorization_url;
  if (url.empty()) {
    return Error{Errc::config_invalid,
                 fmt::format("integration {} has no auth.authorization_url", integration.key)};
  }
  if (url.find("${") == std::string::npos) return url;
  const nlohmann::json none = nlohmann::json::object();
  const store::Credentials no_credentials;
  // Written by the operator: an integration template, though it has no credentials to read.
  return interpolate(url,
                     PlaceholderContext{no_credentials, inputs.connection_config, none, integration},
                     Template::Scope::integration_templates);
}

}  // namespace

Result<std::string> build_authorization_url(const config::Integration& integration,
                                            const AuthorizationInputs& inputs) {
  auto base = resolved_base(integration, inputs);
  if (!base) return std::move(base).error();
  auto parsed = ferry::parse_uri(*base);
  if (!parsed || (parsed->scheme() != "http" && parsed->scheme() != "https") ||
      parsed->host().empty()) {
    return Error{Errc::config_invalid,
                 fmt::format("the auth.authorization_url of integration {} is not an absolute "
                             "http(s) URL",
                             integration.key)};
  }
  Params params;
  for (auto param : parsed->params()) {
    put(params, std::string(param.key), param.has_value ? std::string(param.value) : "");
  }
  put(params, "client_id", integration.oauth_client_id);
  put(params, "redirect_uri", inputs.redirect_uri);
  put(params, "response_type", "code");
  if (const std::string scope = joined_scopes(integration); !scope.empty()) {
    put(params, "scope", scope);
  }
  put(params, "state", inputs.state);
  if (!inputs.user_scope.empty()) put(params, "user_scope", inputs.user_scope);
  for (const auto& [name, value] : integration.auth.authorization_params) put(params, name, value);
  for (const auto& [name, value] : inputs.extra_params) put(params, name, value);
  if (!inputs.code_challenge.empty()) {
    put(params, "code_challenge", inputs.code_challenge);
    put(params, "code_challenge_method", "S256");
  }

  boost::urls::url url(*parsed);
  url.set_encoded_query(form_encode(params));
  url.remove_fragment();
  return std::string(url.buffer());
}

}  // namespace ferry::auth::oauth2
