#include "ferry/auth/oauth2/oauth_state.h"

#include <fmt/format.h>

#include "ferry/auth/oauth2/pkce.h"
#include "ferry/core/crypto.h"
#include "ferry/store/store.h"

namespace ferry::auth::oauth2 {
namespace {

constexpr std::size_t kStateBytes = 32;
constexpr std::size_t kMaxProviderTextBytes = 300;

std::string first(const std::multimap<std::string, std::string>& query, const char* name) {
  auto it = query.find(name);
  return it == query.end() ? std::string() : it->second;
}

}  // namespace

store::OAuthSession new_oauth_session(const config::Integration& integration,
                                      FlowRequest request, TimePoint now) {
  store::OAuthSession session;
  session.state = random_hex(kStateBytes);
  session.provider_config_key = integration.key;
  session.connection_id = std::move(request.connection_id);
  session.ws_client_id = std::move(request.ws_client_id);
  session.redirect_uri = std::move(request.redirect_uri);
  session.params = std::move(request.params);
  session.client_address = std::move(request.client_address);
  session.origin = std::move(request.origin);
  session.may_overwrite = request.may_overwrite;
  session.end_user = std::move(request.end_user);
  session.tags = std::move(request.tags);
  if (integration.auth.pkce) session.code_verifier = make_code_verifier();
  session.expires_at = now + kStateLifetime;
  return session;
}

CallbackParams read_callback_params(const std::multimap<std::string, std::string>& query) {
  return CallbackParams{first(query, "state"), first(query, "code"), first(query, "error"),
                        first(query, "error_description")};
}

std::optional<std::string> provider_refusal(const CallbackParams& params) {
  if (params.error.empty()) return std::nullopt;
  // The text comes from the browser's URL: keep it short, it ends up in pages and logs.
  std::string text = params.error.substr(0, kMaxProviderTextBytes);
  if (!params.error_description.empty()) {
    text += ": " + params.error_description.substr(0, kMaxProviderTextBytes);
  }
  return "the provider did not authorize the connection (" + text + ")";
}

Result<store::OAuthSession> take_oauth_session(store::Store& store, const std::string& state) {
  if (state.empty()) {
    return Error{Errc::invalid_argument,
                 "the callback has no state parameter; start the authorization again"};
  }
  auto taken = store.take_oauth_state(state);
  if (taken) return taken;
  switch (taken.error().code) {
    case Errc::not_found:
      return Error{Errc::not_found,
                   "the state parameter is unknown or was already used; start the "
                   "authorization again"};
    case Errc::invalid_argument:
      return Error{Errc::invalid_argument,
                   fmt::format("the authorization took longer than {} minutes and its state "
                               "expired; start the authorization again",
                               kStateLifetime.count())};
    default:
      return taken;
  }
}

}  // namespace ferry::auth::oauth2
