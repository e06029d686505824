#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ferry/observe/log.h"

namespace ferry::config {

class Catalog;  // config/catalog.h

// The validated, immutable configuration of one integrations folder. Built once by
// load_project() (config/loader.h) and shared read-only (shared_ptr<const Project>).

enum class AuthMode { oauth2, oauth1, api_key, basic, none };      // OAUTH2 ... USERNAME_PASSWORD, NONE
enum class AuthorizationMethod { body, header };                 // client creds at the token URL
enum class BodyFormat { form, json };                            // token request body
enum class GrantType { authorization_code, client_credentials };
enum class ResetFormat { seconds, epoch, iso8601, http_date };   // rate-limit reset header
// What a call to one of the integration's deprecated_endpoints gets: refused with 410
// deprecated_endpoint before anything is sent, or sent with a warning in the logs.
enum class DeprecatedEndpointPolicy { reject, warn };
// Which site a connection takes when its grant reaches several (Atlassian's accessible
// resources): the first one (or the one matching a `subdomain` given at connect time), or
// the one the user picks.
enum class SiteSelection { first, ask };
// Who may read GET /metrics: backend callers (the secret key or a dashboard session), or
// anyone who can reach the port (Prometheus scrapers usually send no credentials).
enum class MetricsAuth { secret_key, none };

struct AuthConfig {
  AuthMode auth_mode = AuthMode::none;
  // OAuth 2 (and the authorize step of OAuth 1).
  std::string authorization_url;
  std::map<std::string, std::string> authorization_params;
  std::string scope_separator = " ";
  std::string token_url;
  std::map<std::string, std::string> token_params;
  AuthorizationMethod authorization_method = AuthorizationMethod::body;
  BodyFormat body_format = BodyFormat::form;
  std::string refresh_url;  // empty = token_url
  // RFC 7009 token revocation endpoint; empty = the provider has none. Deleting a
  // connection revokes its tokens there first.
  std::string revocation_url;
  bool pkce = false;
  GrantType grant_type = GrantType::authorization_code;
  // Refresh when the access token expires within this margin.
  std::chrono::seconds refresh_margin{15 * 60};
  // The provider's refresh-token rules, when its documentation states them (zero = none):
  // unused this long a refresh token lapses (each refresh starts the count again), and this
  // long after the user's consent the grant ends whatever happens.
  std::chrono::seconds refresh_token_idle_lifetime{0};
  std::chrono::seconds refresh_token_max_lifetime{0};
  // OAuth 1.0a.
  std::string request_url;
  std::map<std::string, std::string> request_params;
  std::string request_http_method = "POST";
  std::string token_http_method = "POST";
  std::string signature_method = "HMAC-SHA1";  // HMAC-SHA1 | HMAC-SHA256 | PLAINTEXT
};

struct RequestsConfig {
  std::string base_url;                          // http(s)://host[:port]/[path]
  std::map<std::string, std::string> headers;    // values may hold ${placeholders}
  std::map<std::string, std::string> params;     // query parameters, likewise
};

struct RateLimitHeaders {
  std::string retry_after = "Retry-After";
  std::string reset;                              // e.g. X-RateLimit-Reset; empty = none
  ResetFormat reset_format = ResetFormat::seconds;
  std::string remaining;                          // e.g. X-RateLimit-Remaining; empty = none
};

// An endpoint the provider removed or deprecated, and the one to call instead
// (`deprecated_endpoints:` of a blueprint version or an integration). Calls are matched
// against it by proxy/deprecated_endpoints.h.
struct DeprecatedEndpoint {
  std::string path;                  // "/rest/api/3/search": starts with '/', names a segment
  std::string replacement;           // "/rest/api/3/search/jql": starts with '/'
  std::vector<std::string> methods;  // "GET", "POST"...; empty = every method
  std::string note;                  // why and since when, in prose; may be empty
  // Who lists it, for messages: "jira:v0" (a blueprint version) or "integration jira".
  std::string listed_by;
};

struct RetryConfig {
  int max_attempts = 3;                           // total attempts, >= 1
  std::chrono::milliseconds base_delay{500};
  std::chrono::milliseconds max_delay{30'000};
  std::vector<int> retry_on = {429, 502, 503, 504};
  RateLimitHeaders rate_limit_headers;
};

// One entry of integrations.yaml merged over its blueprint.
struct Integration {
  std::string key;                 // the map key in integrations.yaml ("jira")
  std::string provider;            // blueprint name ("jira"); empty when not extending one
  std::string blueprint_version;   // "v0"; empty when not extending one
  std::string source;              // "integrations.yaml:3:5", where the entry starts
  std::optional<observe::Level> log_level;                     // actions; default from server
  std::optional<std::chrono::seconds> http_request_timeout;    // per attempt; 0 = none
  std::string app_api_key;
  std::string oauth_client_id;
  std::string oauth_client_secret;
  std::vector<std::string> oauth_scopes;
  AuthConfig auth;
  RequestsConfig requests;
  RetryConfig retry;
  // Named steps run after a connection is created ("atlassian_accessible_resources").
  std::vector<std::string> post_connection;
  // Keep-alive refreshes (webhooks/keep_alive.h): a connection whose tokens were issued
  // this long ago is refreshed, so the provider's idle rule never ends its grant. nullopt =
  // off: `keep_alive_after_days: 0`, or a provider without an idle rule. Defaults to two
  // thirds of auth.refresh_token_idle_lifetime.
  std::optional<std::chrono::seconds> keep_alive_after;
  // Removed or deprecated endpoints and what calls to them get. An integration's list
  // replaces its blueprint's whole.
  std::vector<DeprecatedEndpoint> deprecated_endpoints = {};
  DeprecatedEndpointPolicy deprecated_endpoint_policy = DeprecatedEndpointPolicy::reject;
  SiteSelection site_selection = SiteSelection::first;
  // The provider's list pagination, with nango:paginate's option names (type, response_path,
  // cursor_path_in_response, ...): the defaults of an action's paginate table, which
  // overrides them key by key. Values as written; `limit` and `offset_start_value` are
  // checked to be integers. Empty: actions name everything themselves.
  std::map<std::string, std::string> pagination = {};
};

// ferry.yaml; every field has the default of DESIGN.md §1.
struct ServerConfig {
  std::string listen_address = "0.0.0.0";
  int server_port = 3003;
  std::string server_root_url = "http://localhost:3003";
  observe::Level main_server_log_level = observe::Level::info;
  observe::Level default_action_log_level = observe::Level::info;
  observe::LogFormat log_format = observe::LogFormat::text;  // log_format: text | json
  std::chrono::seconds default_http_request_timeout{100};
  std::string database_url;        // resolved: "sqlite:///abs/path/ferry.db" or "postgresql://..."
  // PostgreSQL: connections for queries; refresh locks hold as many again on their own
  // connections. Ignored for SQLite.
  std::size_t database_pool_size = 4;
  std::string secret_key;
  bool secret_key_generated = false;   // true when none was configured (dev mode)
  std::string public_key;
  bool public_key_generated = false;
  std::string encryption_key;          // base64 of 32 bytes, or empty
  // Signs in to the web dashboard besides the secret key; empty = the secret key only.
  std::string admin_password;
  std::string log_file;                // resolved absolute path
  std::size_t max_request_body_bytes = 10 * 1024 * 1024;
  MetricsAuth metrics_auth = MetricsAuth::secret_key;  // metrics_auth: secret_key | none
  std::string ca_file;                 // extra CA bundle for upstream TLS; empty = system
  // Per client address (an IPv4 address or an IPv6 /64): most unfinished OAuth flows (their
  // states live 10 minutes) and most open websockets at once; over them, 429. Behind a
  // reverse proxy every user shares the proxy's address.
  std::size_t max_pending_oauth_flows_per_client = 64;
  std::size_t max_websockets_per_client = 32;
  // Actions: the threads that run their Lua (never the I/O threads), and what one run may
  // spend running Lua code and allocating in its Lua state.
  std::size_t action_threads = 2;
  std::chrono::milliseconds action_cpu_time{10'000};
  std::size_t action_memory_bytes = 64 * 1024 * 1024;
  // `egress: {allow: [...]}`: CIDRs, addresses and host names a Base-Url-Override may reach
  // although they are loopback, private, link-local... or plain http (core/egress_policy.h).
  // Checked at load; read at start.
  std::vector<std::string> egress_allow;
  // The activity log keeps entries this long, and never more than this many: older ones are
  // pruned in small rounds by the activity writer (store/activity_writer.h).
  std::chrono::seconds activity_retention = std::chrono::days(15);
  std::size_t activity_retention_max_entries = 1'000'000;
  // Connection events (webhooks/): POSTed in Nango's auth-webhook shape to webhook_url when
  // set, signed (X-Nango-Hmac-Sha256) with webhook_signing_key, or the secret key when that
  // is empty; retried up to webhook_max_retry_age after the event, then dead-lettered.
  // `environment` fills the body's environment field.
  std::string webhook_url;
  std::string webhook_signing_key;
  std::chrono::seconds webhook_max_retry_age = std::chrono::hours(72);
  std::string environment = "prod";
};

struct Project {
  std::filesystem::path dir;           // absolute integrations folder
  ServerConfig server;
  std::map<std::string, Integration> integrations;
  // The integrations integrations.yaml declares but the server leaves out, one line each
  // ("file:line:col: key.path: why"): only with LoadOptions::skip_placeholder_integrations.
  std::vector<std::string> skipped_integrations;
  // The blueprint catalog the integrations were resolved against (embedded + the folder's
  // blueprints/), for `GET /providers`. Never null in a Project returned by load_project().
  std::shared_ptr<const Catalog> catalog;

  // The OAuth callback every provider must be configured with.
  std::string callback_url() const { return server.server_root_url + "/oauth/callback"; }
  const Integration* find_integration(const std::string& key) const {
    auto it = integrations.find(key);
    return it == integrations.end() ? nullptr : &it->second;
  }
};

std::string_view auth_mode_name(AuthMode mode);  // "OAUTH2", "OAUTH1", "API_KEY", "BASIC", "NONE"

}  // namespace ferry::config
