// auth.atlassian.com (/authorize, /oauth/token) and the token-level calls of
// api.atlassian.com (/oauth/token/accessible-resources, /me). Facts: reference §1-§2.
#include <algorithm>
#include <boost/url/parse.hpp>
#include <cctype>
#include <tuple>

#include "ferry/core/crypto.h"
#include "ferry/core/strings.h"
#include "ferry/http/json.h"
#include "gateway.h"
#include "http_util.h"
#include "routes.h"
#include "sites.h"

namespace ferry::fake_atlassian {
namespace {

using nlohmann::json;

std::string query_value(const http::RequestContext& context, std::string_view name) {
  const std::string* value = context.query_param(name);
  return value ? *value : std::string();
}

bool is_loopback_url(std::string_view url) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed || (parsed->scheme() != "http" && parsed->scheme() != "https")) return false;
  switch (parsed->host_type()) {
    case boost::urls::host_type::ipv4:
      return parsed->host_ipv4_address().to_bytes()[0] == 127;
    case boost::urls::host_type::ipv6:
      return parsed->host_ipv6_address().is_loopback();
    case boost::urls::host_type::name:
      return iequals(parsed->host(), "localhost");
    default:
      return false;
  }
}

bool redirect_allowed(const Options& options, const std::string& uri) {
  if (options.redirect_uris.empty()) return is_loopback_url(uri);
  const auto& list = options.redirect_uris;
  return std::find(list.begin(), list.end(), uri) != list.end();
}

// Atlassian shows an error page and never redirects to an unregistered URI [§1.2].
http::Response error_page(const std::string& error, const std::string& description,
                          unsigned version) {
  const std::string html =
      "<!DOCTYPE html><html><head><title>Something went wrong</title></head><body>"
      "<h1>Something went wrong</h1><p>error=" +
      html_escape(error) + "</p><p>error_description=" + html_escape(description) +
      "</p></body></html>";
  return html_response(http::StatusCode::bad_request, html, version);
}

http::Response redirect(const std::string& location, unsigned version) {
  http::Response response{http::StatusCode::found, version};
  response.set(http::bhttp::field::location, location);
  response.set(http::bhttp::field::cache_control, "no-store");
  return response;
}

bool is_scope_name(std::string_view scope) {
  return std::all_of(scope.begin(), scope.end(), [](unsigned char c) {
    return std::isalnum(c) || c == ':' || c == '-' || c == '_' || c == '.';
  });
}

// The distinct scopes of a space-separated list, in order.
std::vector<std::string> split_scopes(std::string_view text) {
  std::vector<std::string> out;
  for (auto& piece : split(text, ' ')) {
    if (!piece.empty() && std::find(out.begin(), out.end(), piece) == out.end()) {
      out.push_back(std::move(piece));
    }
  }
  return out;
}

http::Response authorize(State& state, http::RequestContext& context) {
  const unsigned version = context.request.version();
  const std::string client_id = query_value(context, "client_id");
  const std::string redirect_uri = query_value(context, "redirect_uri");
  const std::string csrf_state = query_value(context, "state");
  if (client_id.empty() || client_id != state.options().client_id) {
    return error_page("invalid_client", "Unknown client_id: " + client_id, version);
  }
  if (redirect_uri.empty() || !redirect_allowed(state.options(), redirect_uri)) {
    return error_page("unauthorized_client",
                      "redirect_uri is not registered for client: " + redirect_uri, version);
  }
  auto back = [&](std::vector<std::pair<std::string, std::string>> params) {
    if (!csrf_state.empty()) params.emplace_back("state", csrf_state);
    return redirect(append_query(redirect_uri, params), version);
  };
  if (query_value(context, "response_type") != "code") {
    return back({{"error", "unsupported_response_type"},
                 {"error_description", "response_type must be code"}});
  }
  if (csrf_state.empty()) {
    return back({{"error", "invalid_request"}, {"error_description", "state is required"}});
  }
  const auto scopes = split_scopes(query_value(context, "scope"));
  if (scopes.empty()) {
    return back({{"error", "invalid_scope"}, {"error_description", "scope is required"}});
  }
  for (const auto& scope : scopes) {
    // A comma-joined list arrives as one malformed scope: scopes are space-separated [§1.1].
    if (!is_scope_name(scope)) {
      return back({{"error", "invalid_scope"}, {"error_description", "Invalid scope: " + scope}});
    }
  }
  const std::string decision = query_value(context, "fake_decision");
  return state.locked([&](Shared& s) {
    const bool deny = decision == "deny" || (decision.empty() && s.config.deny);
    if (deny) {
      return back({{"error", "access_denied"},
                   {"error_description", "User did not authorize the request"}});
    }
    Grant grant{client_id, scopes, {}, s.now()};
    for (const auto& site : first_sites(s.config.sites)) grant.cloud_ids.push_back(site.id);
    const std::string code = s.tokens.issue_code(std::move(grant), redirect_uri, s.now(), s.config);
    return back({{"code", code}});
  });
}

http::Response oauth_error(const OAuthError& error, unsigned version) {
  auto response = http::json_response(
      error.status, {{"error", error.error}, {"error_description", error.description}}, version);
  response.set(http::bhttp::field::cache_control, "no-store");
  return response;
}

http::Response token_response(const IssuedTokens& tokens, unsigned version) {
  json body = {{"access_token", tokens.access_token},
               {"expires_in", tokens.expires_in.count()},
               {"scope", tokens.scope},
               {"token_type", "Bearer"}};
  if (!tokens.refresh_token.empty()) body["refresh_token"] = tokens.refresh_token;
  auto response = http::json_response(http::StatusCode::ok, body, version);
  response.set(http::bhttp::field::cache_control, "no-store");
  response.set(http::bhttp::field::pragma, "no-cache");
  return response;
}

// Client credentials from the body [§1.3], else from HTTP Basic (tolerated, undocumented).
std::pair<std::string, std::string> client_credentials(
    const http::RequestContext& context, const std::multimap<std::string, std::string>& fields) {
  std::string id = field(fields, "client_id");
  std::string secret = field(fields, "client_secret");
  std::string_view auth = trim(context.header("Authorization"));
  if (secret.empty() && starts_with_icase(auth, "Basic ")) {
    auto decoded = base64_decode(trim(auth.substr(6)));
    if (decoded) {
      auto colon = decoded->find(':');
      if (colon != std::string::npos) {
        id = decoded->substr(0, colon);
        secret = decoded->substr(colon + 1);
      }
    }
  }
  return {id, secret};
}

void count_token_request(Stats& stats, const std::string& grant_type) {
  ++stats.token_total;
  if (grant_type == "authorization_code") ++stats.token_authorization_code;
  if (grant_type == "refresh_token") ++stats.token_refresh;
}

http::Response token(State& state, http::RequestContext& context) {
  const unsigned version = context.request.version();
  auto fields = body_fields(context.request);
  const std::string grant_type = fields ? field(*fields, "grant_type") : std::string();
  state.locked([&](Shared& s) { count_token_request(s.stats, grant_type); });
  if (!fields) {
    return oauth_error({http::StatusCode::bad_request, "invalid_request", "The body is not valid JSON"},
                       version);
  }
  std::string client_id, secret;
  std::tie(client_id, secret) = client_credentials(context, *fields);
  if (client_id != state.options().client_id ||
      !constant_time_equals(secret, state.options().client_secret)) {
    return oauth_error({http::StatusCode::unauthorized, "access_denied", "Unauthorized"}, version);
  }
  auto missing = [&](const char* name) {
    return oauth_error({http::StatusCode::bad_request, "invalid_request",
                        std::string("Missing required parameter: ") + name},
                       version);
  };
  TokenOutcome outcome;
  if (grant_type == "authorization_code") {
    const std::string code = field(*fields, "code");
    if (code.empty()) return missing("code");
    const std::string redirect_uri = field(*fields, "redirect_uri");
    if (redirect_uri.empty()) return missing("redirect_uri");
    outcome = state.locked([&](Shared& s) {
      return s.tokens.redeem_code(code, redirect_uri, client_id, s.now(), s.config);
    });
  } else if (grant_type == "refresh_token") {
    const std::string refresh_token = field(*fields, "refresh_token");
    if (refresh_token.empty()) return missing("refresh_token");
    outcome = state.locked(
        [&](Shared& s) { return s.tokens.refresh(refresh_token, client_id, s.now(), s.config); });
  } else if (grant_type.empty()) {
    return missing("grant_type");
  } else {
    return oauth_error({http::StatusCode::forbidden, "unauthorized_client",
                        "The authenticated client is not authorized to use this authorization "
                        "grant type"},
                       version);
  }
  if (auto* error = std::get_if<OAuthError>(&outcome)) return oauth_error(*error, version);
  return token_response(std::get<IssuedTokens>(outcome), version);
}

}  // namespace

void add_oauth_routes(http::Router& router, std::shared_ptr<State> state) {
  router.add(http::Verb::get, "/authorize",
             sync_handler([state](http::RequestContext& c) { return authorize(*state, c); }));
  router.add(http::Verb::post, "/oauth/token",
             sync_handler([state](http::RequestContext& c) { return token(*state, c); }));
}

}  // namespace ferry::fake_atlassian
