#pragma once

#include <string>
#include <string_view>

#include "ferry/config/model.h"
#include "ferry/config/problems.h"
#include "ferry/config/source_tree.h"

namespace ferry::config {

// The example OAuth client credentials `ferry init` writes (scaffold.cc), in one place so
// that the scaffold and the loader that refuses them cannot drift apart. A real provider
// rejects them, and a server sending users there with them only shows an error page.
//
// integrations.yaml's oauth_client_id of both example integrations.
inline constexpr std::string_view kPlaceholderClientId = "your-jira-client-id";
// The variable integrations.yaml's oauth_client_secret is read from, its value in the
// generated .env, and its value in .env.example.
inline constexpr std::string_view kClientSecretVariable = "JIRA_CLIENT_SECRET";
inline constexpr std::string_view kPlaceholderClientSecret = "change-me";
inline constexpr std::string_view kExampleClientSecret = "your-jira-client-secret";

// True when `value` is one of the placeholders above.
bool is_placeholder_credential(std::string_view value);

// For an OAuth integration (`integration` read from `merged`, declared at key path `path`),
// adds a problem for oauth_client_id and for oauth_client_secret whose value, after ${VAR}
// substitution, is still a placeholder: "file:line:col: <path>.oauth_client_id: what to
// set", located where the value (or the ${VAR} it came from) is written. Other auth modes
// use neither key and are left alone.
void check_placeholder_credentials(const Integration& integration, const SourceNode& merged,
                                   const std::string& path, Problems& problems);

}  // namespace ferry::config
