#include "ferry/auth/oauth2/expiry.h"

namespace ferry::auth::oauth2 {

bool is_due(const store::Credentials& credentials, TimePoint now, std::chrono::seconds margin) {
  if (credentials.access_token.empty()) return true;
  if (!credentials.expires_at) return false;
  return *credentials.expires_at <= now + margin;
}

Renewal renewal_needed(const config::Integration& integration,
                       const store::Credentials& credentials, TimePoint now, bool force) {
  if (integration.auth.auth_mode != config::AuthMode::oauth2) return Renewal::none;
  // NONE: a client_credentials connection created before its first token.
  if (credentials.type != store::CredentialType::oauth2 &&
      credentials.type != store::CredentialType::none) {
    return Renewal::none;
  }
  const bool due = force || is_due(credentials, now, integration.auth.refresh_margin);
  if (!due) return Renewal::none;
  if (integration.auth.grant_type == config::GrantType::client_credentials) {
    return Renewal::client_credentials;
  }
  return credentials.refresh_token.empty() ? Renewal::none : Renewal::refresh_token;
}

}  // namespace ferry::auth::oauth2
