#pragma once

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "ferry/config/model.h"
#include "ferry/core/clock.h"
#include "ferry/core/result.h"
#include "ferry/store/types.h"

namespace ferry::store {
class Store;
}

namespace ferry::auth::oauth2 {

// The state side of the authorization-code flow (DESIGN.md §4): a random, single-use
// `state` stored in the database with its PKCE verifier, so that any instance can take the
// callback. Pure apart from randomness and the store; thread-safe.

// How long a started flow may wait for its callback.
inline constexpr std::chrono::minutes kStateLifetime{10};

// What the connect request says about the flow it starts.
struct FlowRequest {
  std::string connection_id;
  std::string ws_client_id;  // may be empty
  std::string redirect_uri;
  nlohmann::json params = nlohmann::json::object();  // connect-time params (subdomain, ...)
  // Who started it and what it may do; copied as they are (see store::OAuthSession).
  std::string client_address;
  std::string origin;
  bool may_overwrite = false;
  nlohmann::json end_user = nullptr;
  nlohmann::json tags = nlohmann::json::object();
};

// A new flow for `integration`: state = 32 random bytes as hex (RFC 6749 §10.12), a PKCE
// code_verifier (RFC 7636) when the integration sets `pkce: true`, expiry now + 10 min.
store::OAuthSession new_oauth_session(const config::Integration& integration,
                                      FlowRequest request, TimePoint now);

// The parameters a provider sends to the callback (RFC 6749 §4.1.2 and §4.1.2.1).
struct CallbackParams {
  std::string state;
  std::string code;
  std::string error;              // e.g. access_denied; empty on success
  std::string error_description;  // optional text of the provider
};

CallbackParams read_callback_params(const std::multimap<std::string, std::string>& query);

// The provider's refusal in one sentence ("the provider answered access_denied: User did
// not authorize the request"), or nullopt when the callback carries no `error`.
std::optional<std::string> provider_refusal(const CallbackParams& params);

// Takes (removes) the flow of `state` from `store`, so it works once. Messages say what to
// do next. Errc::invalid_argument when `state` is empty or expired; Errc::not_found when it
// is unknown or was already used; the store's own errors otherwise.
Result<store::OAuthSession> take_oauth_session(store::Store& store, const std::string& state);

}  // namespace ferry::auth::oauth2
