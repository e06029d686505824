#include "tokens.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "ferry/core/crypto.h"
#include "sites.h"

namespace ferry::fake_atlassian {
namespace {

using std::chrono::seconds;

OAuthError invalid_code() {
  return {http::StatusCode::bad_request, "invalid_request", "authorization_code is invalid"};
}

// Atlassian's wording for every refresh failure [RT].
OAuthError invalid_refresh() {
  return {http::StatusCode::forbidden, "invalid_grant", "Unknown or invalid refresh token."};
}

OAuthError wrong_client() { return {http::StatusCode::unauthorized, "access_denied", "Unauthorized"}; }

std::int64_t epoch_seconds(TimePoint t) {
  return std::chrono::duration_cast<seconds>(t.time_since_epoch()).count();
}

template <class Map>
std::size_t erase_family(Map& map, std::uint64_t grant_id) {
  return std::erase_if(map,
                       [grant_id](const auto& entry) { return entry.second.grant_id == grant_id; });
}

}  // namespace

bool Grant::has_scope(std::string_view scope) const {
  return std::find(scopes.begin(), scopes.end(), scope) != scopes.end();
}

std::string Grant::scope_string() const {
  std::string out;
  for (const auto& s : scopes) {
    if (!out.empty()) out += ' ';
    out += s;
  }
  return out;
}

std::string make_opaque_token(std::size_t random_bytes) {
  return base64url_encode(ferry::random_bytes(random_bytes));
}

std::string make_access_token(const Grant& grant, TimePoint now, seconds lifetime) {
  const nlohmann::json header = {{"kid", "fake-atlassian"}, {"alg", "RS256"}, {"typ", "JWT"}};
  const nlohmann::json payload = {{"iss", "https://auth.atlassian.com"},
                                  {"aud", grant.client_id},
                                  {"sub", fake_account().account_id},
                                  {"iat", epoch_seconds(now)},
                                  {"exp", epoch_seconds(now + lifetime)},
                                  {"scope", grant.scope_string()},
                                  {"jti", uuid_v4()}};
  return base64url_encode(header.dump()) + "." + base64url_encode(payload.dump()) + "." +
         base64url_encode(random_bytes(256));
}

std::string TokenStore::issue_code(Grant grant, std::string redirect_uri, TimePoint now,
                                   const Config& config) {
  const std::uint64_t id = next_grant_id_++;
  grants_.emplace(id, std::move(grant));
  std::string code = make_opaque_token(48);
  codes_.emplace(code, Code{id, std::move(redirect_uri), now + config.code_lifetime});
  return code;
}

IssuedTokens TokenStore::issue_tokens(std::uint64_t grant_id, TimePoint now, const Config& config) {
  const Grant& grant = grants_.at(grant_id);
  IssuedTokens out;
  out.access_token = make_access_token(grant, now, config.access_token_lifetime);
  out.expires_in = config.access_token_lifetime;
  out.scope = grant.scope_string();
  access_.emplace(out.access_token, Access{grant_id, now + config.access_token_lifetime});
  // Only offline_access earns a refresh token [Doc 3LO].
  if (grant.has_scope("offline_access")) {
    out.refresh_token = make_opaque_token(96);
    refresh_.emplace(out.refresh_token, Refresh{grant_id, now, std::nullopt});
  }
  return out;
}

TokenOutcome TokenStore::redeem_code(std::string_view code, std::string_view redirect_uri,
                                     std::string_view client_id, TimePoint now,
                                     const Config& config) {
  auto it = codes_.find(std::string(code));
  if (it == codes_.end()) return invalid_code();
  const Code entry = it->second;
  codes_.erase(it);
  if (now >= entry.expires) return invalid_code();
  if (grants_.at(entry.grant_id).client_id != client_id) return wrong_client();
  if (entry.redirect_uri != redirect_uri) {
    return OAuthError{http::StatusCode::bad_request, "invalid_request",
                      "redirect_uri does not match the authorization request"};
  }
  return issue_tokens(entry.grant_id, now, config);
}

TokenOutcome TokenStore::refresh(std::string_view refresh_token, std::string_view client_id,
                                 TimePoint now, const Config& config) {
  auto it = refresh_.find(std::string(refresh_token));
  if (it == refresh_.end()) return invalid_refresh();
  Refresh& entry = it->second;
  const Grant& grant = grants_.at(entry.grant_id);
  if (grant.client_id != client_id) return wrong_client();
  if (now - entry.issued > config.refresh_inactivity ||
      now - grant.created > config.refresh_absolute) {
    refresh_.erase(it);
    return invalid_refresh();
  }
  if (entry.rotated_at && now - *entry.rotated_at > config.leeway) {
    // Reuse outside the leeway: every refresh token of the grant dies, the newest too.
    revoke_refresh_family(entry.grant_id);
    return invalid_refresh();
  }
  if (!entry.rotated_at) entry.rotated_at = now;
  return issue_tokens(entry.grant_id, now, config);
}

TokenStore::AccessCheck TokenStore::check_access(std::string_view access_token,
                                                 TimePoint now) const {
  auto it = access_.find(std::string(access_token));
  if (it == access_.end()) return {};
  const Grant* grant = &grants_.at(it->second.grant_id);
  if (now >= it->second.expires) return {AccessState::expired, grant};
  return {AccessState::valid, grant};
}

std::size_t TokenStore::revoke_all() {
  const std::size_t n = codes_.size() + access_.size() + refresh_.size();
  codes_.clear();
  access_.clear();
  refresh_.clear();
  return n;
}

std::size_t TokenStore::revoke_grant_of_refresh(std::string_view refresh_token) {
  auto it = refresh_.find(std::string(refresh_token));
  if (it == refresh_.end()) return 0;
  const std::uint64_t grant_id = it->second.grant_id;
  return revoke_refresh_family(grant_id) + revoke_access_family(grant_id) +
         erase_family(codes_, grant_id);
}

std::size_t TokenStore::revoke_access(std::string_view access_token) {
  return access_.erase(std::string(access_token));
}

std::size_t TokenStore::revoke_refresh_family(std::uint64_t grant_id) {
  return erase_family(refresh_, grant_id);
}

std::size_t TokenStore::revoke_access_family(std::uint64_t grant_id) {
  return erase_family(access_, grant_id);
}

}  // namespace ferry::fake_atlassian
