#include "ferry/store/session_rows.h"

#include <utility>

namespace ferry::store {

Result<OAuthSession> finish_oauth_session(OAuthSession session, Result<nlohmann::json> params,
                                          Result<nlohmann::json> end_user,
                                          Result<nlohmann::json> tags, TimePoint now) {
  for (const auto* parsed : {&params, &end_user, &tags}) {
    if (!*parsed) return parsed->error();
  }
  if (session.expires_at <= now) {
    return Error{Errc::invalid_argument, "OAuth state expired; start the authorization again"};
  }
  session.params = std::move(*params);
  session.end_user = std::move(*end_user);
  session.tags = std::move(*tags);
  return session;
}

Result<ConnectSession> finish_connect_session(ConnectSession session,
                                              Result<nlohmann::json> allowed,
                                              Result<nlohmann::json> request, TimePoint now) {
  if (!allowed) return std::move(allowed).error();
  if (!request) return std::move(request).error();
  if (!allowed->is_array()) {
    return Error{Errc::storage_corrupt, "allowed integrations of a connect session are not a list"};
  }
  for (const auto& key : *allowed) {
    if (key.is_string()) session.allowed_integrations.push_back(key.get<std::string>());
  }
  session.request = std::move(*request);
  if (session.expires_at <= now) {
    return Error{Errc::invalid_argument, "the connect session expired; create a new one"};
  }
  return session;
}

}  // namespace ferry::store
