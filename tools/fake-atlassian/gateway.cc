#include "gateway.h"

#include <algorithm>

#include "ferry/http/json.h"
#include "http_util.h"

namespace ferry::fake_atlassian {
namespace {

http::Response not_found(Api api, unsigned version) {
  if (api == Api::confluence_v2) {
    return v2_error(http::StatusCode::not_found, "NOT_FOUND", "Not Found", version);
  }
  return gateway_error(http::StatusCode::not_found, "Not Found", version);
}

// An expired token: 401 everywhere, except with the reported Confluence quirk [§5.1].
http::Response expired(Api api, bool quirk, unsigned version) {
  if (quirk && api == Api::confluence_v2) return not_found(api, version);
  if (quirk && api == Api::confluence_v1) {
    return gateway_error(http::StatusCode::forbidden, "Forbidden", version);
  }
  return gateway_error(http::StatusCode::unauthorized, "Unauthorized", version);
}

bool has_any_scope(const Grant& grant, const std::vector<std::string>& any_scope) {
  return std::any_of(any_scope.begin(), any_scope.end(),
                     [&](const std::string& s) { return grant.has_scope(s); });
}

}  // namespace

std::variant<Caller, http::Response> authenticate_gateway(
    State& state, const http::RequestContext& context, Api api,
    const std::vector<std::string>& any_scope) {
  const unsigned version = context.request.version();
  const std::string token = bearer_token(context);
  const std::string cloud_id =
      context.path_params.count("cloudId") ? context.path_params.at("cloudId") : std::string();
  return state.locked([&](Shared& s) -> std::variant<Caller, http::Response> {
    auto check = s.tokens.check_access(token, s.now());
    if (check.state == TokenStore::AccessState::unknown) {
      return gateway_error(http::StatusCode::unauthorized, "Unauthorized", version);
    }
    if (check.state == TokenStore::AccessState::expired) {
      return expired(api, s.config.confluence_expiry_quirk, version);
    }
    const auto& granted = check.grant->cloud_ids;
    const Site* site = find_site(cloud_id);
    if (!site || std::find(granted.begin(), granted.end(), cloud_id) == granted.end()) {
      return not_found(api, version);
    }
    if (api != Api::jira && !site->has_confluence) return not_found(api, version);
    if (s.config.check_scopes && !any_scope.empty() && !has_any_scope(*check.grant, any_scope)) {
      return gateway_error(http::StatusCode::unauthorized, "Unauthorized; scope does not match",
                           version);
    }
    std::string host(context.header("Host"));
    if (host.empty()) host = "127.0.0.1";
    const char* product = api == Api::jira ? "/ex/jira/" : "/ex/confluence/";
    return Caller{*site, "http://" + host + product + cloud_id, check.grant->client_id};
  });
}

http::Response gateway_error(http::StatusCode status, const std::string& message, unsigned version) {
  return http::json_response(status, {{"code", static_cast<int>(status)}, {"message", message}},
                             version);
}

http::Response error_collection(http::StatusCode status, const std::vector<std::string>& messages,
                                const nlohmann::json& errors, unsigned version) {
  return http::json_response(status, {{"errorMessages", messages}, {"errors", errors}}, version);
}

http::Response v2_error(http::StatusCode status, const std::string& code, const std::string& title,
                        unsigned version, const std::string& detail) {
  nlohmann::json error = {
      {"status", static_cast<int>(status)}, {"code", code}, {"title", title}, {"detail", nullptr}};
  if (!detail.empty()) error["detail"] = detail;
  return http::json_response(status, {{"errors", nlohmann::json::array({error})}}, version);
}

std::optional<nlohmann::json> json_object_body(const http::Request& request) {
  auto parsed = nlohmann::json::parse(request.body(), nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) return std::nullopt;
  return parsed;
}

}  // namespace ferry::fake_atlassian
