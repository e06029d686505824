#include "ferry/store/migrations/migration.h"

namespace ferry::store {
namespace {

// Times are INTEGER milliseconds since the Unix epoch (UTC). JSON columns hold text.
// `credentials` holds JSON text, or a Cipher-sealed BLOB when credentials_encrypted = 1.
constexpr std::string_view kV1Base = R"sql(
CREATE TABLE connections (
  id TEXT PRIMARY KEY,
  provider_config_key TEXT NOT NULL,
  connection_id TEXT NOT NULL,
  provider TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  last_fetched_at INTEGER,
  credentials BLOB NOT NULL,
  credentials_encrypted INTEGER NOT NULL DEFAULT 0,
  connection_config TEXT NOT NULL DEFAULT '{}',
  metadata TEXT NOT NULL DEFAULT '{}',
  errors TEXT NOT NULL DEFAULT '[]',
  UNIQUE (provider_config_key, connection_id)
);
CREATE TABLE oauth_sessions (
  state TEXT PRIMARY KEY,
  provider_config_key TEXT NOT NULL,
  connection_id TEXT NOT NULL,
  code_verifier TEXT NOT NULL DEFAULT '',
  ws_client_id TEXT NOT NULL DEFAULT '',
  redirect_uri TEXT NOT NULL DEFAULT '',
  params TEXT NOT NULL DEFAULT '{}',
  expires_at INTEGER NOT NULL
);
CREATE TABLE activity (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  timestamp INTEGER NOT NULL,
  level TEXT NOT NULL,
  type TEXT NOT NULL,
  provider_config_key TEXT NOT NULL DEFAULT '',
  connection_id TEXT NOT NULL DEFAULT '',
  method TEXT NOT NULL DEFAULT '',
  url TEXT NOT NULL DEFAULT '',
  status INTEGER NOT NULL DEFAULT 0,
  duration_ms INTEGER NOT NULL DEFAULT 0,
  bytes_in INTEGER NOT NULL DEFAULT 0,
  bytes_out INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  message TEXT NOT NULL DEFAULT '',
  details TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value BLOB NOT NULL
);
)sql";

// Optimistic concurrency for refreshes (rows written before it start at version 1), and
// the indexes behind list ordering, activity queries and expiry sweeps.
constexpr std::string_view kV2VersionAndIndexes = R"sql(
ALTER TABLE connections ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
CREATE INDEX connections_by_created ON connections (created_at, id);
CREATE INDEX activity_by_time ON activity (timestamp, id);
CREATE INDEX activity_by_connection ON activity (provider_config_key, connection_id, timestamp);
CREATE INDEX oauth_sessions_by_expiry ON oauth_sessions (expires_at);
)sql";

// Connect sessions (POST /connect/sessions), keyed by the SHA-256 of their token.
constexpr std::string_view kV3ConnectSessions = R"sql(
CREATE TABLE connect_sessions (
  token_hash TEXT PRIMARY KEY,
  allowed_integrations TEXT NOT NULL DEFAULT '[]',
  request TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX connect_sessions_by_expiry ON connect_sessions (expires_at);
)sql";

// Connect binding (DESIGN.md §4): a connect session serves one flow, may fix the connection
// id or be bound to an existing connection (reconnect); an OAuth flow records who started it
// (client address for the per-client cap, page origin for the callback's postMessage) and
// whether it may replace existing credentials; a connection carries its end user and tags.
constexpr std::string_view kV4ConnectBinding = R"sql(
ALTER TABLE connect_sessions ADD COLUMN connection_id TEXT NOT NULL DEFAULT '';
ALTER TABLE connect_sessions ADD COLUMN is_reconnect INTEGER NOT NULL DEFAULT 0;
ALTER TABLE connect_sessions ADD COLUMN used_at INTEGER;
ALTER TABLE oauth_sessions ADD COLUMN client_address TEXT NOT NULL DEFAULT '';
ALTER TABLE oauth_sessions ADD COLUMN origin TEXT NOT NULL DEFAULT '';
ALTER TABLE oauth_sessions ADD COLUMN may_overwrite INTEGER NOT NULL DEFAULT 0;
ALTER TABLE oauth_sessions ADD COLUMN end_user TEXT NOT NULL DEFAULT 'null';
ALTER TABLE oauth_sessions ADD COLUMN tags TEXT NOT NULL DEFAULT '{}';
CREATE INDEX oauth_sessions_by_client ON oauth_sessions (client_address, expires_at);
ALTER TABLE connections ADD COLUMN end_user TEXT NOT NULL DEFAULT 'null';
ALTER TABLE connections ADD COLUMN tags TEXT NOT NULL DEFAULT '{}';
)sql";

// Connection events (webhooks/): the outbox, written with the change that caused each event
// (seq orders them; id is the event's stable id), and the token times keep-alive refreshes
// and grant-expiry warnings are reckoned from.
constexpr std::string_view kV5Outbox = R"sql(
CREATE TABLE outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  provider_config_key TEXT NOT NULL,
  connection_id TEXT NOT NULL,
  type TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  leased_by TEXT,
  lease_until INTEGER,
  delivered_at INTEGER,
  attempt_log TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at, seq);
CREATE INDEX outbox_by_connection ON outbox (provider_config_key, connection_id, state, seq);
CREATE INDEX outbox_by_age ON outbox (created_at);
ALTER TABLE connections ADD COLUMN tokens_issued_at INTEGER;
ALTER TABLE connections ADD COLUMN grant_started_at INTEGER;
)sql";

// Asynchronous action runs (POST /action/trigger with X-Async): each run's state and result
// JSON, kept for the retention period; lease_until bounds how long a run may stay running.
constexpr std::string_view kV6AsyncActions = R"sql(
CREATE TABLE async_actions (
  id TEXT PRIMARY KEY,
  environment TEXT NOT NULL,
  provider_config_key TEXT NOT NULL,
  connection_id TEXT NOT NULL,
  action_name TEXT NOT NULL,
  state TEXT NOT NULL,
  result TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  lease_until INTEGER NOT NULL,
  finished_at INTEGER
);
CREATE INDEX async_actions_by_age ON async_actions (created_at);
CREATE INDEX async_actions_running ON async_actions (state, lease_until);
)sql";

constexpr Migration kSqliteMigrations[] = {
    {1, "base tables", kV1Base},
    {2, "connection versions and indexes", kV2VersionAndIndexes},
    {3, "connect sessions", kV3ConnectSessions},
    {4, "connect binding", kV4ConnectBinding},
    {5, "webhook outbox and token times", kV5Outbox},
    {6, "asynchronous actions", kV6AsyncActions},
};

}  // namespace

std::span<const Migration> sqlite_migrations() { return kSqliteMigrations; }

}  // namespace ferry::store
