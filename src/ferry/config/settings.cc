#include "ferry/config/settings.h"

#include <algorithm>
#include <limits>
#include <optional>

#include "ferry/config/field_reader.h"
#include "ferry/core/strings.h"

namespace ferry::config {
namespace {

constexpr long long kIntMax = std::numeric_limits<int>::max();
constexpr long long kMaxLifetimeDays = 100 * 365;

const std::vector<std::string> kAuthKeys = {
    "auth_mode",           "authorization_url",    "authorization_params",
    "scope_separator",     "token_url",            "token_params",
    "authorization_method", "body_format",         "refresh_url",
    "pkce",                "grant_type",           "refresh_margin_seconds",
    "request_url",         "request_params",       "request_http_method",
    "token_http_method",   "signature_method",     "refresh_token_idle_days",
    "refresh_token_max_days", "revocation_url"};
// Meaningful only for OAuth 1.0a; an error under any other auth_mode.
const std::vector<std::string> kOauth1OnlyKeys = {"request_url", "request_params",
                                                  "request_http_method", "token_http_method",
                                                  "signature_method"};
const std::vector<std::string> kRequestsKeys = {"base_url", "headers", "params"};
const std::vector<std::string> kRetryKeys = {"max_attempts", "base_delay_ms", "max_delay_ms",
                                             "retry_on", "rate_limit_headers"};
const std::vector<std::string> kRateLimitKeys = {"retry_after", "reset", "reset_format",
                                                 "remaining"};
const std::vector<std::string> kDeprecatedEndpointKeys = {"path", "replacement", "methods",
                                                          "note"};
// nango:paginate's option names (actions/pagination.h); the first two are integers.
const std::vector<std::string> kPaginationIntegerKeys = {"limit", "offset_start_value"};
const std::vector<std::string> kPaginationKeys = {
    "type",                    "limit",                   "offset_start_value",
    "response_path",           "limit_name_in_request",   "is_last_path",
    "cursor_path_in_response", "cursor_name_in_request",  "offset_name_in_request",
    "offset_calculation_method", "total_path",            "link_rel_in_response_header",
    "link_path_in_response_body", "link_prefix"};
// The methods a deprecated_endpoints entry may name (RFC 9110 §9 and PATCH, RFC 5789).
const std::vector<std::string> kHttpMethods = {"GET",   "HEAD",   "POST",    "PUT",
                                               "PATCH", "DELETE", "OPTIONS", "TRACE"};

// The OAuth 1.0a keys: read under any mode so their values are checked, then rejected
// unless the mode is OAUTH1.
void read_oauth1(const MapReader& r, AuthConfig& auth) {
  r.read_url("request_url", auth.request_url);
  r.read_string_map("request_params", auth.request_params);
  std::string_view text;
  if (r.read_enum<std::string_view>("request_http_method", {{"GET", "GET"}, {"POST", "POST"}},
                                    text)) {
    auth.request_http_method = text;
  }
  if (r.read_enum<std::string_view>("token_http_method", {{"GET", "GET"}, {"POST", "POST"}},
                                    text)) {
    auth.token_http_method = text;
  }
  if (r.read_enum<std::string_view>(
          "signature_method",
          {{"HMAC-SHA1", "HMAC-SHA1"}, {"HMAC-SHA256", "HMAC-SHA256"}, {"PLAINTEXT", "PLAINTEXT"}},
          text)) {
    auth.signature_method = text;
  }
  if (auth.auth_mode != AuthMode::oauth1) {
    for (const auto& key : kOauth1OnlyKeys) {
      if (r.get(key) != nullptr) {
        r.report(key, "only valid with auth_mode OAUTH1, not " +
                          std::string(auth_mode_name(auth.auth_mode)));
      }
    }
  }
}

void read_auth(const MapReader& r, AuthConfig& auth) {
  r.reject_unknown(kAuthKeys);
  r.read_enum<AuthMode>("auth_mode",
                        {{"OAUTH2", AuthMode::oauth2},
                         {"OAUTH1", AuthMode::oauth1},
                         {"API_KEY", AuthMode::api_key},
                         {"USERNAME_PASSWORD", AuthMode::basic},
                         {"BASIC", AuthMode::basic},
                         {"NONE", AuthMode::none}},
                        auth.auth_mode);
  r.read_url("authorization_url", auth.authorization_url);
  r.read_string_map("authorization_params", auth.authorization_params);
  r.read_nonempty_string("scope_separator", auth.scope_separator);
  r.read_url("token_url", auth.token_url);
  r.read_string_map("token_params", auth.token_params);
  r.read_enum<AuthorizationMethod>(
      "authorization_method",
      {{"body", AuthorizationMethod::body}, {"header", AuthorizationMethod::header}},
      auth.authorization_method);
  r.read_enum<BodyFormat>("body_format", {{"form", BodyFormat::form}, {"json", BodyFormat::json}},
                          auth.body_format);
  r.read_url("refresh_url", auth.refresh_url);
  r.read_url("revocation_url", auth.revocation_url);
  r.read_bool("pkce", auth.pkce);
  r.read_enum<GrantType>("grant_type",
                         {{"authorization_code", GrantType::authorization_code},
                          {"client_credentials", GrantType::client_credentials}},
                         auth.grant_type);
  long long margin = 0;
  if (r.read_int("refresh_margin_seconds", 0, kIntMax, margin)) {
    auth.refresh_margin = std::chrono::seconds(margin);
  }
  long long days = 0;
  if (r.read_int("refresh_token_idle_days", 1, kMaxLifetimeDays, days)) {
    auth.refresh_token_idle_lifetime = std::chrono::days(days);
  }
  if (r.read_int("refresh_token_max_days", 1, kMaxLifetimeDays, days)) {
    auth.refresh_token_max_lifetime = std::chrono::days(days);
  }
  read_oauth1(r, auth);
}

void read_requests(const MapReader& r, RequestsConfig& requests) {
  r.reject_unknown(kRequestsKeys);
  r.read_url("base_url", requests.base_url);
  r.read_string_map("headers", requests.headers);
  r.read_string_map("params", requests.params);
}

void read_retry(const MapReader& r, RetryConfig& retry) {
  r.reject_unknown(kRetryKeys);
  long long value = 0;
  if (r.read_int("max_attempts", 1, kIntMax, value)) retry.max_attempts = static_cast<int>(value);
  if (r.read_int("base_delay_ms", 0, kIntMax, value)) {
    retry.base_delay = std::chrono::milliseconds(value);
  }
  if (r.read_int("max_delay_ms", 0, kIntMax, value)) {
    retry.max_delay = std::chrono::milliseconds(value);
  }
  r.read_int_list("retry_on", 100, 599, retry.retry_on);

  MapReader headers = r.section("rate_limit_headers");
  RateLimitHeaders& h = retry.rate_limit_headers;
  headers.reject_unknown(kRateLimitKeys);
  headers.read_nonempty_string("retry_after", h.retry_after);
  headers.read_string("reset", h.reset);
  headers.read_enum<ResetFormat>("reset_format",
                                 {{"seconds", ResetFormat::seconds},
                                  {"epoch", ResetFormat::epoch},
                                  {"iso8601", ResetFormat::iso8601},
                                  {"http-date", ResetFormat::http_date}},
                                 h.reset_format);
  headers.read_string("remaining", h.remaining);
}

void read_post_connection(const MapReader& r, std::vector<std::string>& steps) {
  std::vector<std::string> names;
  if (!r.read_string_list("post_connection", names)) return;
  const auto& known = known_post_connection_steps();
  bool ok = true;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (std::find(known.begin(), known.end(), names[i]) != known.end()) continue;
    ok = false;
    const SourceNode& item = r.get("post_connection")->children[i];
    r.problems().add(item.location, r.path("post_connection") + "[" + std::to_string(i) + "]",
                     "unknown step " + quote_value(names[i]) + " (known: " + join(known, ", ") + ")");
  }
  if (ok) steps = std::move(names);
}

// `key` of a deprecated_endpoints entry: an endpoint path as callers write it after the
// base URL, "/rest/api/3/search". The query string is no part of it: calls are matched on
// their path alone.
void check_endpoint_path(const MapReader& r, std::string_view key, const std::string& value) {
  if (value.front() != '/') {
    r.report(key, "expected a path starting with '/', got " + quote_value(value));
  } else if (value.find_first_not_of('/') == std::string::npos) {
    r.report(key, "expected a path naming at least one segment, got " + quote_value(value));
  } else if (value.find_first_of("?# \t\r\n") != std::string::npos) {
    r.report(key, "expected a path without query, fragment or whitespace, got " +
                      quote_value(value));
  }
}

// `methods`: a list of upper-case HTTP method names; absent = every method.
void read_methods(const MapReader& r, std::vector<std::string>& out) {
  std::vector<std::string> names;
  if (!r.read_string_list("methods", names)) return;
  bool ok = true;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (std::find(kHttpMethods.begin(), kHttpMethods.end(), names[i]) != kHttpMethods.end()) {
      continue;
    }
    ok = false;
    std::string what = "unknown HTTP method " + quote_value(names[i]) + " (expected one of " +
                       join(kHttpMethods, ", ") + ")";
    std::string suggestion = closest_match(names[i], kHttpMethods);
    if (!suggestion.empty()) what += "; did you mean `" + suggestion + "`?";
    r.problems().add(r.get("methods")->children[i].location,
                     r.path("methods") + "[" + std::to_string(i) + "]", what);
  }
  if (ok) out = std::move(names);
}

// One entry of `deprecated_endpoints`; nullopt when it has problems (reported).
std::optional<DeprecatedEndpoint> read_deprecated_endpoint(const SourceNode& node,
                                                           const std::string& path,
                                                           Problems& problems) {
  if (!node.is_map()) {
    report_type(node, path, "a map with path and replacement", problems);
    return std::nullopt;
  }
  const std::size_t before = problems.size();
  MapReader r(&node, path, problems);
  r.reject_unknown(kDeprecatedEndpointKeys);
  DeprecatedEndpoint entry;
  if (r.get("path") == nullptr) r.report("path", "required: the endpoint's path, e.g. /v1/old");
  if (r.get("replacement") == nullptr) {
    r.report("replacement", "required: the path that replaces the endpoint, e.g. /v2/new");
  }
  if (r.read_nonempty_string("path", entry.path)) check_endpoint_path(r, "path", entry.path);
  if (r.read_nonempty_string("replacement", entry.replacement)) {
    check_endpoint_path(r, "replacement", entry.replacement);
  }
  read_methods(r, entry.methods);
  r.read_string("note", entry.note);
  if (problems.size() != before) return std::nullopt;
  return entry;
}

// `deprecated_endpoints`: a list that replaces whatever `out` held (lists never merge).
void read_deprecated_endpoints(const MapReader& r, std::vector<DeprecatedEndpoint>& out) {
  const SourceNode* list = r.get("deprecated_endpoints");
  if (list == nullptr) return;
  const std::string path = r.path("deprecated_endpoints");
  if (list->kind != SourceNode::Kind::sequence) {
    report_type(*list, path, "a list of {path, replacement, methods, note} entries",
                r.problems());
    return;
  }
  std::vector<DeprecatedEndpoint> entries;
  bool ok = true;
  for (std::size_t i = 0; i < list->children.size(); ++i) {
    auto entry = read_deprecated_endpoint(list->children[i], path + "[" + std::to_string(i) + "]",
                                          r.problems());
    if (entry) {
      entries.push_back(std::move(*entry));
    } else {
      ok = false;
    }
  }
  if (ok) out = std::move(entries);
}

// `pagination`: merged key by key over what `out` holds (an integration's keys over its
// blueprint's).
void read_pagination(const MapReader& parent, std::map<std::string, std::string>& out) {
  if (parent.get("pagination") == nullptr) return;
  MapReader r = parent.section("pagination");
  r.reject_unknown(kPaginationKeys);
  for (const auto& key : kPaginationKeys) {
    if (r.get(key) == nullptr) continue;
    const bool integer = std::find(kPaginationIntegerKeys.begin(), kPaginationIntegerKeys.end(),
                                   key) != kPaginationIntegerKeys.end();
    if (integer) {
      long long value = 0;
      if (r.read_int(key, 0, kIntMax, value)) out[key] = std::to_string(value);
    } else if (key == "type") {
      std::string type;
      if (r.read_enum<std::string>(key,
                                   {{"cursor", "cursor"}, {"link", "link"}, {"offset", "offset"},
                                    {"next_page_token", "next_page_token"},
                                    {"jira_start_at", "jira_start_at"}},
                                   type)) {
        out[key] = type;
      }
    } else if (key == "offset_calculation_method") {
      std::string method;
      if (r.read_enum<std::string>(
              key, {{"per-page", "per-page"}, {"by-response-size", "by-response-size"}}, method)) {
        out[key] = method;
      }
    } else {
      std::string value;
      if (r.read_nonempty_string(key, value)) out[key] = value;
    }
  }
}

// `keep_alive_after_days` (0 = off), else two thirds of the provider's idle rule; checked
// against that rule, which a later refresh could no longer beat.
void read_keep_alive(const MapReader& r, Integration& out) {
  const auto idle = out.auth.refresh_token_idle_lifetime;
  out.keep_alive_after.reset();
  if (idle.count() > 0) out.keep_alive_after = idle * 2 / 3;
  long long days = 0;
  if (!r.read_int("keep_alive_after_days", 0, kMaxLifetimeDays, days)) return;
  out.keep_alive_after.reset();
  if (days == 0) return;
  const std::chrono::seconds after = std::chrono::days(days);
  if (idle.count() > 0 && after >= idle) {
    r.report("keep_alive_after_days",
             "must be less than auth.refresh_token_idle_days (" +
                 std::to_string(std::chrono::duration_cast<std::chrono::days>(idle).count()) +
                 "): the refresh token would have lapsed by then");
    return;
  }
  out.keep_alive_after = after;
}

void read_top_level(const MapReader& r, Integration& out) {
  observe::Level level = observe::Level::info;
  if (r.read_log_level("log_level", level)) out.log_level = level;
  long long timeout = 0;
  if (r.read_int("http_request_timeout_seconds", 0, kIntMax, timeout)) {
    out.http_request_timeout = std::chrono::seconds(timeout);
  }
  r.read_string_list("oauth_scopes", out.oauth_scopes);
  read_post_connection(r, out.post_connection);
  read_deprecated_endpoints(r, out.deprecated_endpoints);
  read_pagination(r, out.pagination);
  r.read_enum<DeprecatedEndpointPolicy>(
      "deprecated_endpoint_policy",
      {{"reject", DeprecatedEndpointPolicy::reject}, {"warn", DeprecatedEndpointPolicy::warn}},
      out.deprecated_endpoint_policy);
  r.read_enum<SiteSelection>("site_selection",
                             {{"first", SiteSelection::first}, {"ask", SiteSelection::ask}},
                             out.site_selection);
}

}  // namespace

const std::vector<std::string>& known_post_connection_steps() {
  static const std::vector<std::string> steps = {"atlassian_accessible_resources"};
  return steps;
}

std::vector<std::string> settings_keys(SettingsSource source) {
  std::vector<std::string> keys = {"auth",
                                   "requests",
                                   "retry",
                                   "oauth_scopes",
                                   "post_connection",
                                   "log_level",
                                   "http_request_timeout_seconds",
                                   "keep_alive_after_days",
                                   "deprecated_endpoints",
                                   "deprecated_endpoint_policy",
                                   "site_selection",
                                   "pagination"};
  if (source == SettingsSource::blueprint_version) {
    keys.push_back("comment");
  } else {
    keys.insert(keys.end(),
                {"extends_blueprint", "app_api_key", "oauth_client_id", "oauth_client_secret"});
  }
  return keys;
}

void read_settings(const SourceNode& node, const std::string& path, SettingsSource source,
                   Integration& out, Problems& problems) {
  MapReader r(&node, path, problems);
  r.reject_unknown(settings_keys(source));
  read_top_level(r, out);
  read_auth(r.section("auth"), out.auth);
  read_requests(r.section("requests"), out.requests);
  read_retry(r.section("retry"), out.retry);
  read_keep_alive(r, out);
  if (source == SettingsSource::integration) {
    r.read_string("app_api_key", out.app_api_key);
    r.read_string("oauth_client_id", out.oauth_client_id);
    r.read_string("oauth_client_secret", out.oauth_client_secret);
  }
}

void check_required(const Integration& integration, const SourceNode& merged,
                    const SourceLocation& entry, const std::string& path, Problems& problems) {
  auto require = [&](std::string_view key, std::string_view why) {
    const SourceNode* node = &merged;
    for (const auto& part : split(key, '.')) node = node == nullptr ? nullptr : node->find(part);
    bool missing = node == nullptr || node->is_null() ||
                   (node->kind == SourceNode::Kind::scalar && node->scalar.empty());
    if (missing) problems.add(entry, child_path(path, key), "required " + std::string(why));
  };
  std::string from = integration.provider.empty()
                         ? std::string("(no blueprint is extended)")
                         : "(not set here nor in blueprint " + integration.provider + ":" +
                               integration.blueprint_version + ")";
  require("requests.base_url", from);
  const AuthConfig& auth = integration.auth;
  if (auth.auth_mode != AuthMode::oauth2 && auth.auth_mode != AuthMode::oauth1) return;
  std::string mode = "for auth_mode " + std::string(auth_mode_name(auth.auth_mode));
  require("oauth_client_id", mode);
  require("oauth_client_secret", mode);
  require("auth.token_url", mode);
  if (auth.auth_mode == AuthMode::oauth1) {
    require("auth.request_url", mode);
    require("auth.authorization_url", mode);
  } else if (auth.grant_type != GrantType::client_credentials) {
    require("auth.authorization_url", mode);
  }
}

}  // namespace ferry::config
