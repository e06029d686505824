#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "ferry/core/clock.h"
#include "ferry/http/message.h"
#include "options.h"

namespace ferry::fake_atlassian {

// One user consent: what was granted, to which client, for which sites. Every token minted
// from it (the refresh-token "family") points back to it.
struct Grant {
  std::string client_id;
  std::vector<std::string> scopes;     // as granted, in request order
  std::vector<std::string> cloud_ids;  // the sites the grant reaches
  TimePoint created;

  bool has_scope(std::string_view scope) const;
  std::string scope_string() const;  // space-separated
};

// A successful token response's content.
struct IssuedTokens {
  std::string access_token;
  std::string refresh_token;  // empty without offline_access
  std::string scope;
  std::chrono::seconds expires_in{0};
};

// A token-endpoint failure: HTTP status and the OAuth error body.
struct OAuthError {
  http::StatusCode status;
  std::string error;
  std::string description;
};

using TokenOutcome = std::variant<IssuedTokens, OAuthError>;

// Authorization codes, access tokens and rotating refresh tokens, with Atlassian's rules:
// codes are single-use and short-lived; each refresh disables the token sent and returns a
// new one; a rotated token may be replayed within the leeway; a replay after it kills every
// refresh token of the grant. Not thread-safe: the State's mutex guards it.
class TokenStore {
 public:
  // Records a consent and returns a fresh authorization code for it.
  std::string issue_code(Grant grant, std::string redirect_uri, TimePoint now,
                         const Config& config);

  // grant_type=authorization_code. The code is consumed whatever the outcome, as the code
  // is single use. 400 invalid_request for an unknown, used or expired code or another
  // redirect_uri; 401 access_denied when the code belongs to another client.
  TokenOutcome redeem_code(std::string_view code, std::string_view redirect_uri,
                           std::string_view client_id, TimePoint now, const Config& config);

  // grant_type=refresh_token. 403 invalid_grant "Unknown or invalid refresh token." for an
  // unknown, expired or revoked token, or a rotated one replayed after the leeway (which
  // also revokes every refresh token of its grant).
  TokenOutcome refresh(std::string_view refresh_token, std::string_view client_id, TimePoint now,
                       const Config& config);

  enum class AccessState { valid, expired, unknown };
  struct AccessCheck {
    AccessState state = AccessState::unknown;
    const Grant* grant = nullptr;  // set unless unknown; valid until the next mutation
  };
  // What `access_token` is worth at `now`.
  AccessCheck check_access(std::string_view access_token, TimePoint now) const;

  // Revocations; each returns how many tokens (access + refresh + codes) died.
  std::size_t revoke_all();
  // Every token of the grant `refresh_token` belongs to (0 when unknown).
  std::size_t revoke_grant_of_refresh(std::string_view refresh_token);
  std::size_t revoke_access(std::string_view access_token);

 private:
  struct Code {
    std::uint64_t grant_id;
    std::string redirect_uri;
    TimePoint expires;
  };
  struct Access {
    std::uint64_t grant_id;
    TimePoint expires;
  };
  struct Refresh {
    std::uint64_t grant_id;
    TimePoint issued;
    std::optional<TimePoint> rotated_at;  // set by its first use
  };

  IssuedTokens issue_tokens(std::uint64_t grant_id, TimePoint now, const Config& config);
  std::size_t revoke_refresh_family(std::uint64_t grant_id);
  std::size_t revoke_access_family(std::uint64_t grant_id);

  std::uint64_t next_grant_id_ = 1;
  std::map<std::uint64_t, Grant> grants_;
  std::unordered_map<std::string, Code> codes_;
  std::unordered_map<std::string, Access> access_;
  std::unordered_map<std::string, Refresh> refresh_;
};

// Opaque, long random strings shaped like Atlassian's: an access token looks like an RS256
// JWT ("eyJ...", ~700 characters) whose signature is random bytes.
std::string make_access_token(const Grant& grant, TimePoint now, std::chrono::seconds lifetime);
std::string make_opaque_token(std::size_t random_bytes);

}  // namespace ferry::fake_atlassian
