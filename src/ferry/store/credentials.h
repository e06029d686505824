#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "ferry/core/clock.h"
#include "ferry/core/result.h"

namespace ferry::store {

// What `credentials.type` says (DESIGN.md §2): which of the fields below are meaningful.
enum class CredentialType { none, oauth2, oauth1, api_key, basic };

// "NONE", "OAUTH2", "OAUTH1", "API_KEY", "BASIC".
std::string_view credential_type_name(CredentialType type);

// A connection's credentials, typed once when the row is read, so the hot path (placeholders,
// the refresh decision) never looks into JSON or parses a time. Plain value; freely copied.
struct Credentials {
  CredentialType type = CredentialType::none;
  std::string access_token;   // OAUTH2
  std::string refresh_token;  // OAUTH2; empty when the provider issued none
  // OAUTH2: when the access token expires; nullopt when the provider gave no expires_in.
  std::optional<TimePoint> expires_at;
  std::string oauth_token;         // OAUTH1
  std::string oauth_token_secret;  // OAUTH1
  std::string api_key;             // API_KEY
  std::string username;            // BASIC
  std::string password;            // BASIC
  // OAUTH2 / OAUTH1: the provider's token response as received (for ${raw.KEY});
  // an empty object for the other types.
  nlohmann::json raw = nlohmann::json::object();

  bool operator==(const Credentials&) const = default;
};

// The stored JSON form of each type, also what the REST API shows:
//   OAUTH2   {type, access_token, refresh_token?, expires_at? (ISO 8601 UTC), raw}
//   OAUTH1   {type, oauth_token, oauth_token_secret, raw}
//   API_KEY  {type, api_key}
//   BASIC    {type, username, password}
//   NONE     {type}
nlohmann::json credentials_to_json(const Credentials& credentials);

// The stored form read back (a missing `type` reads as NONE, so rows written with `{}` stay
// readable). An expires_at that is not an ISO 8601 time reads as the epoch: the token then
// counts as expired and is renewed, which is what a damaged expiry must mean. `what` names
// the row in messages. Errc::storage_corrupt when the value is not an object, the type is
// unknown, or a field the type needs (other than OAUTH2's access_token, which reads as
// empty) is missing or not a string.
Result<Credentials> credentials_from_json(const nlohmann::json& stored, std::string_view what);

}  // namespace ferry::store
