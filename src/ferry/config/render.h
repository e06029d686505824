#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "ferry/config/model.h"
#include "ferry/core/result.h"

namespace ferry::config {

// An integration for the API (`GET /integrations/{key}`): unique_key, provider,
// blueprint_version, source, auth_mode, oauth_client_id, oauth_scopes, auth{...},
// requests{...}, retry{...}, post_connection, log_level, http_request_timeout_seconds,
// deprecated_endpoints[{path, replacement, methods, note}], deprecated_endpoint_policy,
// site_selection.
// Unless `include_secrets`, oauth_client_secret is left out entirely, app_api_key is masked
// (observe::mask), and so are literal values of secret-looking headers and params
// ("Authorization", "*token*", "*secret*", "*key*", "*password*") that hold no ${...}.
nlohmann::json integration_to_json(const Integration& integration, bool include_secrets);

// What `ferry check` prints: the folder, the server settings, then each integration fully
// resolved (every field, one "key.path: value" line each, secrets masked with
// observe::mask), and last "OAuth callback URL: <server_root_url>/oauth/callback".
std::string describe_project(const Project& project);

// What `ferry blueprints <spec>` prints: the blueprint's name, description, maintainer,
// docs URL and versions, then each selected version as YAML. `spec` is "name" (every
// version) or "name:version" (that one). Errc::not_found as Catalog::resolve().
Result<std::string> describe_blueprint(const Catalog& catalog, std::string_view spec);

}  // namespace ferry::config
