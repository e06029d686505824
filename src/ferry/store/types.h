#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ferry/core/clock.h"
#include "ferry/store/credentials.h"

namespace ferry::store {

// Rows of the store. Plain values, freely copied between threads. Times are stored with
// millisecond precision: a time read back is the written one truncated to milliseconds.

// Identifies one connection: the integration's name and the app's user or account id.
struct ConnectionKey {
  std::string provider_config_key;
  std::string connection_id;

  auto operator<=>(const ConnectionKey&) const = default;
};

// "connection <connection_id> of integration <provider_config_key>", for messages.
std::string describe(const ConnectionKey& key);

// The webhook outbox: connection events waiting to be POSTed to the backend's webhook_url,
// and what each delivery attempt did. Written by the store in the same transaction as the
// connection change that caused the event; delivered by webhooks/dispatcher.h.
//
// pending: to be sent (now or at next_attempt_at); delivered: the receiver answered 2xx;
// dead: given up (an answer that retrying cannot change, or past the retry age), kept for
// replay; unroutable: a provider's webhook delivery that matched no connection (its key
// names the integration only), kept to be seen, never sent and never replayed.
enum class OutboxState { pending, delivered, dead, unroutable };

// One event. The writer fills id, key, type and body (and state: pending, or unroutable);
// the store the rest.
struct OutboxEvent {
  // Stable: the same happening always gets the same id (the receiver de-duplicates on it),
  // and writing an id the outbox already holds writes nothing.
  std::string id;
  ConnectionKey key;       // events of one connection are delivered in the order written
  std::string type;        // what happened, e.g. "connection.created" (for listing)
  std::string body;        // the exact bytes POSTed, signed as they are
  TimePoint created_at{};  // epoch: the time of writing

  std::int64_t seq = 0;  // the order of writing, across the outbox
  OutboxState state = OutboxState::pending;
  int attempts = 0;
  TimePoint next_attempt_at{};  // pending: not sent before this
  std::optional<TimePoint> delivered_at;
  // The most recent attempts, oldest first: [{at, status, error, duration_ms}], at most
  // kMaxLoggedAttempts of them.
  nlohmann::json attempt_log = nlohmann::json::array();
};

inline constexpr std::size_t kMaxLoggedAttempts = 20;

// What one delivery attempt did, and what becomes of the event.
struct OutboxAttempt {
  TimePoint at{};
  int status = 0;     // the receiver's HTTP status; 0 when none came
  std::string error;  // why it failed ("" when delivered)
  std::int64_t duration_ms = 0;
  OutboxState next_state = OutboxState::pending;
  TimePoint retry_at{};  // pending: when to try again
};

// Which events list_outbox returns, newest first; unset fields match everything.
struct OutboxFilter {
  std::optional<OutboxState> state;
  std::optional<std::string> provider_config_key;
  std::optional<std::string> connection_id;
  std::optional<std::int64_t> before_seq;  // seq < before_seq: the next page
  std::size_t limit = 100;                 // 0 = no limit
};

// One (integration, user) pair with its credentials (DESIGN.md §2).
struct Connection {
  std::string id;  // uuid; create_connection fills it when empty
  std::string connection_id;
  std::string provider_config_key;
  std::string provider;    // the blueprint name, e.g. "jira"
  TimePoint created_at{};  // create_connection fills both when left at the epoch
  TimePoint updated_at{};
  std::optional<TimePoint> last_fetched_at;
  // When the provider last issued tokens (the consent, or a refresh) and when the user's
  // grant began (the consent); nullopt for rows that predate them or credentials that were
  // imported. Keep-alive refreshes and grant-expiry warnings are reckoned from them.
  std::optional<TimePoint> tokens_issued_at;
  std::optional<TimePoint> grant_started_at;
  // Typed when the row is read; stored as credentials_to_json(), encrypted at rest when
  // the store has a key. Always plaintext here.
  Credentials credentials;
  nlohmann::json connection_config = nlohmann::json::object();  // provider-derived, e.g. cloudId
  nlohmann::json metadata = nlohmann::json::object();           // app-defined
  nlohmann::json errors = nlohmann::json::array();              // [{type, log_id, message}]
  // Who the connection belongs to, from the connect session that made it: null, or Nango's
  // ApiEndUser {id, email, display_name, tags, organization: {id, display_name} | null}.
  nlohmann::json end_user = nullptr;
  nlohmann::json tags = nlohmann::json::object();  // the session's tags (string values)
  // Starts at 1 and grows by one on every write, for optimistic concurrency checks.
  std::int64_t version = 0;

  ConnectionKey key() const { return {provider_config_key, connection_id}; }
};

// Which connections list_connections returns; unset fields match everything.
struct ConnectionFilter {
  std::optional<std::string> provider_config_key;
  std::optional<std::string> connection_id;
  std::size_t limit = 0;  // 0 = no limit
  std::size_t offset = 0;
  // Only connections whose tokens were issued (tokens_issued_at, else created_at) before.
  std::optional<TimePoint> tokens_issued_before;
  // Any of these integrations (when not empty); combines with provider_config_key.
  std::vector<std::string> provider_config_keys{};
  std::optional<std::string> end_user_id{};               // end_user.id
  std::optional<std::string> end_user_organization_id{};  // end_user.organization.id
  // A substring of the connection id or of the end user's email or display name, without
  // regard to ASCII case.
  std::optional<std::string> search{};
  // Every one of these tags (an object of strings) must be one of the connection's: the
  // key compared without regard to ASCII case, the value exactly.
  nlohmann::json tags = nlohmann::json::object();
};

// The fields update_connection changes; unset fields keep their value.
struct ConnectionUpdate {
  std::optional<Credentials> credentials;
  std::optional<nlohmann::json> connection_config;  // object
  std::optional<nlohmann::json> metadata;           // object
  std::optional<nlohmann::json> errors;             // array
  std::optional<nlohmann::json> end_user;           // null or object
  std::optional<nlohmann::json> tags;               // object
  std::optional<TimePoint> last_fetched_at;
  std::optional<TimePoint> tokens_issued_at;
  std::optional<TimePoint> grant_started_at;
  // When set, the update applies only if the row's version is still this one.
  std::optional<std::int64_t> expected_version;
  // Written to the outbox in the update's transaction (store/outbox.h), only when the
  // update applies.
  std::vector<OutboxEvent> events;
};

// An OAuth flow in progress, keyed by its single-use `state` parameter (DESIGN.md §4).
// Stored in the database so any instance can take the callback.
struct OAuthSession {
  std::string state;
  std::string provider_config_key;
  std::string connection_id;
  // PKCE (RFC 7636) verifier, empty without PKCE; in an OAuth 1.0a flow's second row (state
  // `S.oauth1`) the packed temporary credentials (auth/oauth1/token_flow.h).
  std::string code_verifier;
  std::string ws_client_id;   // websocket client to notify; may be empty
  std::string redirect_uri;
  nlohmann::json params = nlohmann::json::object();  // connect-time params, e.g. subdomain
  TimePoint expires_at{};
  // Who started the flow (api/client_address.h's key: an IPv4 address or an IPv6 /64), for
  // the per-client cap on pending flows; may be empty.
  std::string client_address;
  // The http(s) origin of the page that started the flow ("https://app.example.com"): the
  // only target the callback page posts its result to. Empty = the server's own origin.
  std::string origin;
  // True when the flow may replace the credentials of an existing connection (a reconnect
  // session); otherwise it may only create one.
  bool may_overwrite = false;
  nlohmann::json end_user = nullptr;               // stored on the connection it creates
  nlohmann::json tags = nlohmann::json::object();  // likewise
};

// How save_oauth_state admits a new flow, checked in the same transaction as the insert.
struct StateAdmission {
  // At most this many unexpired flows of the session's client_address; 0 = no limit.
  std::size_t max_pending_per_client = 0;
  // When not empty: the connect session (token hash) the flow uses up.
  std::string connect_session_hash;
};

// A connect session (POST /connect/sessions or /connect/sessions/reconnect): lets a frontend
// run ONE connect flow without the public key, for the end user the backend named, possibly
// only for some integrations and a fixed connection id, until it expires. The token itself
// is never stored, only its SHA-256, so a copy of the database cannot be used to connect.
struct ConnectSession {
  std::string token_hash;  // lower-case hex SHA-256 of the token
  std::vector<std::string> allowed_integrations;  // empty = every integration
  nlohmann::json request = nlohmann::json::object();  // the creation body (end_user, tags...)
  TimePoint created_at{};  // save_connect_session fills it when left at the epoch
  TimePoint expires_at{};
  // The connection id the backend fixed; empty = Ferry generates one per flow.
  std::string connection_id;
  // A reconnect session: bound to the existing connection (allowed_integrations[0],
  // connection_id), whose credentials its flow may replace.
  bool is_reconnect = false;
  // When a flow used the session up (a session serves one flow); nullopt = still unused.
  std::optional<TimePoint> used_at;
};

// One activity-log line: a proxied request, a refresh, an OAuth step... Never holds a
// secret: writers pass url/message/details through observe::redact() first.
struct ActivityEntry {
  std::int64_t id = 0;    // assigned by append_activity (ascending)
  TimePoint timestamp{};  // append_activity fills it when left at the epoch
  std::string level = "info";
  std::string type;  // "proxy", "auth", "action", "refresh", ...
  std::string provider_config_key;
  std::string connection_id;
  std::string method;
  std::string url;
  int status = 0;  // HTTP status; 0 = none
  std::int64_t duration_ms = 0;
  std::int64_t bytes_in = 0;
  std::int64_t bytes_out = 0;
  int attempts = 0;
  std::string message;
  nlohmann::json details = nlohmann::json::object();
};

// The bit of ActivityFilter::status_classes for status class `digit` (1 for 1xx .. 5xx), or
// for entries without an HTTP status when `digit` is 0 (status 0: transport failures).
// REQUIRES: 0 <= digit <= 5.
constexpr unsigned status_class_bit(int digit) { return 1u << digit; }

// Which entries list_activity returns; unset fields match everything, set ones all apply.
struct ActivityFilter {
  std::optional<std::string> connection_id;
  std::optional<std::string> provider_config_key;
  std::size_t limit = 100;  // 0 = no limit
  // Entries whose status is in one of these classes (status_class_bit); 0 = any status.
  // A status outside 100..599 other than 0 is in no class.
  unsigned status_classes = 0;
  std::optional<std::string> type;  // exactly this type ("proxy", ...)
  std::optional<TimePoint> from;    // timestamp >= from
  std::optional<TimePoint> to;      // timestamp < to
  // A plain substring of url, message, method or connection_id ('%', '_' and '\' are no
  // wildcards), ignoring case: ASCII letters on every backend, PostgreSQL folds others too.
  std::optional<std::string> search;
  std::optional<std::int64_t> after_id;  // id > after_id: the tail cursor
  std::optional<std::int64_t> id;        // only the entry with this id
};

}  // namespace ferry::store
