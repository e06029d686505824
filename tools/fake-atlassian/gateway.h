#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <variant>
#include <vector>

#include "ferry/http/server/router.h"
#include "sites.h"
#include "state.h"

namespace ferry::fake_atlassian {

// Which API a gateway request is for: they differ in error shapes and in the Confluence
// expired-token quirk.
enum class Api { jira, confluence_v1, confluence_v2 };

// Who is calling, once the bearer token and cloud id have been accepted.
struct Caller {
  Site site;
  std::string base_url;   // "http://<Host>/ex/<product>/<cloudId>": the prefix of `self` links
  std::string client_id;  // the app the token was issued to
};

// Checks a gateway request: a known, unexpired access token (else 401 {"code":401,...}, or
// with the Confluence quirk 404 on v2 / 403 on v1), a cloudId the token's grant reaches and
// that has the product (else 404), and, when the config checks scopes, one of `any_scope`
// granted (else 401 "Unauthorized; scope does not match"). The Caller, or the response to
// send instead.
std::variant<Caller, http::Response> authenticate_gateway(
    State& state, const http::RequestContext& context, Api api,
    const std::vector<std::string>& any_scope);

// Runs `fn(const Caller&, Shared&)` under the state's lock once authenticate_gateway has
// accepted the call; otherwise returns its refusal.
template <class Fn>
http::Response with_gateway_caller(State& state, const http::RequestContext& context, Api api,
                                   const std::vector<std::string>& any_scope, Fn fn) {
  auto auth = authenticate_gateway(state, context, api, any_scope);
  if (auto* refused = std::get_if<http::Response>(&auth)) return std::move(*refused);
  const Caller caller = std::get<Caller>(std::move(auth));
  return state.locked([&](Shared& s) -> http::Response { return fn(caller, s); });
}

// {"code":<status>,"message":<message>}: the gateway's own error shape.
http::Response gateway_error(http::StatusCode status, const std::string& message, unsigned version);

// Jira's ErrorCollection {"errorMessages":[...],"errors":{...}}.
http::Response error_collection(http::StatusCode status, const std::vector<std::string>& messages,
                                const nlohmann::json& errors, unsigned version);

// Confluence v2's {"errors":[{"status","code","title","detail"}]}.
http::Response v2_error(http::StatusCode status, const std::string& code, const std::string& title,
                        unsigned version, const std::string& detail = "");

// A JSON request body as an object, or nullopt when it is not one.
std::optional<nlohmann::json> json_object_body(const http::Request& request);

}  // namespace ferry::fake_atlassian
