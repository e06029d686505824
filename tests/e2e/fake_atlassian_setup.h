#pragma once

// What most end-to-end tests set up around fake-atlassian: an integrations.yaml entry that
// points the Jira blueprint at the fake, the REST API's headers, and a connection imported
// with OAuth 2 tokens.
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "ferry_fixture.h"

namespace ferry::testing {

using Headers = std::vector<std::pair<std::string, std::string>>;

// The cloud id of the fake's first site ("acme").
inline constexpr const char* kFakeCloudId = "1324a887-45db-1bf4-1e99-ef0ff456d421";

// The integrations.yaml entry `key` (indented under `integrations:`): the jira:v0 blueprint
// with the fake's client, its authorize and token URLs and its API at `base_url`.
// `extra` holds more lines of the entry, each indented by four spaces.
inline std::string fake_jira_integration(const std::string& key, const std::string& base_url,
                                         const std::string& extra = "") {
  return "  " + key + ":\n"
         "    extends_blueprint: jira:v0\n"
         "    oauth_client_id: fake-client-id\n"
         "    oauth_client_secret: fake-client-secret\n" + extra +
         "    auth:\n"
         "      authorization_url: " + base_url + "/authorize\n"
         "      token_url: " + base_url + "/oauth/token\n"
         "    requests:\n"
         "      base_url: " + base_url + "/\n";
}

// The REST API's headers for a JSON request with `secret_key`.
inline Headers api_headers(const std::string& secret_key) {
  return {{"Authorization", "Bearer " + secret_key}, {"Content-Type", "application/json"}};
}

// api_headers() plus the two that name a connection (/proxy, /action/trigger).
inline Headers connection_headers(const std::string& secret_key, const std::string& integration,
                                  const std::string& connection_id) {
  Headers headers = api_headers(secret_key);
  headers.emplace_back("Connection-Id", connection_id);
  headers.emplace_back("Provider-Config-Key", integration);
  return headers;
}

// One OAUTH2 connection for POST /connections.
struct OAuthConnectionImport {
  std::string integration = "jira";
  std::string connection_id = "user-1";
  std::string access_token;
  std::string refresh_token;
  std::string expires_at = "2099-01-01T00:00:00Z";
  nlohmann::json connection_config = {{"cloudId", kFakeCloudId}};
  nlohmann::json metadata;  // null: none sent
};

// The connection with the tokens fake-atlassian issued (Fake::issue_tokens()).
inline OAuthConnectionImport with_issued_tokens(const nlohmann::json& tokens) {
  OAuthConnectionImport connection;
  connection.access_token = tokens["access_token"].get<std::string>();
  connection.refresh_token = tokens["refresh_token"].get<std::string>();
  return connection;
}

// Imports `connection` into `server` and fails the running test unless it was created.
inline void import_connection(const RunningFerry& server, const std::string& secret_key,
                              const OAuthConnectionImport& connection) {
  nlohmann::json body = {{"provider_config_key", connection.integration},
                         {"connection_id", connection.connection_id},
                         {"credentials",
                          {{"type", "OAUTH2"},
                           {"access_token", connection.access_token},
                           {"refresh_token", connection.refresh_token},
                           {"expires_at", connection.expires_at}}},
                         {"connection_config", connection.connection_config}};
  if (!connection.metadata.is_null()) body["metadata"] = connection.metadata;
  const auto created =
      server.client().request("POST", "/connections", api_headers(secret_key), body.dump());
  EXPECT_EQ(created.status, 201) << created.body;
}

}  // namespace ferry::testing
