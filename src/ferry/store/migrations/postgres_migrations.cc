#include "ferry/store/migrations/migration.h"

namespace ferry::store {
namespace {

// The rows of SQLite's schema version 4, in PostgreSQL types.
//   - Times are bigint milliseconds since the Unix epoch (UTC), as in SQLite, so both
//     backends store and compare the same values (store/row_codec.h).
//   - JSON columns are text holding row_codec's compact JSON, not jsonb: jsonb would
//     refuse "\u0000" inside strings, which SQLite and the API accept, and the store never
//     queries into these documents.
//   - `credentials` holds JSON bytes, or Cipher-sealed bytes when credentials_encrypted.
//   - Connection ids compare bytewise (COLLATE "C"), as in SQLite, so rows created in the
//     same millisecond list in the same order on both backends.
//   - Indexes serve list ordering (created_at, id), activity queries and pruning, and the
//     expiry sweeps and per-client counts of OAuth flows.
constexpr std::string_view kV1Base = R"sql(
CREATE TABLE connections (
  id text COLLATE "C" PRIMARY KEY,
  provider_config_key text NOT NULL,
  connection_id text NOT NULL,
  provider text NOT NULL,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  last_fetched_at bigint,
  credentials bytea NOT NULL,
  credentials_encrypted boolean NOT NULL DEFAULT false,
  connection_config text NOT NULL DEFAULT '{}',
  metadata text NOT NULL DEFAULT '{}',
  errors text NOT NULL DEFAULT '[]',
  version bigint NOT NULL DEFAULT 1,
  end_user text NOT NULL DEFAULT 'null',
  tags text NOT NULL DEFAULT '{}',
  UNIQUE (provider_config_key, connection_id)
);
CREATE INDEX connections_by_created ON connections (created_at, id);

CREATE TABLE oauth_sessions (
  state text PRIMARY KEY,
  provider_config_key text NOT NULL,
  connection_id text NOT NULL,
  code_verifier text NOT NULL DEFAULT '',
  ws_client_id text NOT NULL DEFAULT '',
  redirect_uri text NOT NULL DEFAULT '',
  params text NOT NULL DEFAULT '{}',
  expires_at bigint NOT NULL,
  client_address text NOT NULL DEFAULT '',
  origin text NOT NULL DEFAULT '',
  may_overwrite boolean NOT NULL DEFAULT false,
  end_user text NOT NULL DEFAULT 'null',
  tags text NOT NULL DEFAULT '{}'
);
CREATE INDEX oauth_sessions_by_expiry ON oauth_sessions (expires_at);
CREATE INDEX oauth_sessions_by_client ON oauth_sessions (client_address, expires_at);

CREATE TABLE connect_sessions (
  token_hash text PRIMARY KEY,
  allowed_integrations text NOT NULL DEFAULT '[]',
  request text NOT NULL DEFAULT '{}',
  created_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  connection_id text NOT NULL DEFAULT '',
  is_reconnect boolean NOT NULL DEFAULT false,
  used_at bigint
);
CREATE INDEX connect_sessions_by_expiry ON connect_sessions (expires_at);

CREATE TABLE activity (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  "timestamp" bigint NOT NULL,
  level text NOT NULL,
  type text NOT NULL,
  provider_config_key text NOT NULL DEFAULT '',
  connection_id text NOT NULL DEFAULT '',
  method text NOT NULL DEFAULT '',
  url text NOT NULL DEFAULT '',
  status integer NOT NULL DEFAULT 0,
  duration_ms bigint NOT NULL DEFAULT 0,
  bytes_in bigint NOT NULL DEFAULT 0,
  bytes_out bigint NOT NULL DEFAULT 0,
  attempts integer NOT NULL DEFAULT 0,
  message text NOT NULL DEFAULT '',
  details text NOT NULL DEFAULT '{}'
);
CREATE INDEX activity_by_time ON activity ("timestamp", id);
CREATE INDEX activity_by_connection ON activity (provider_config_key, connection_id, "timestamp");

CREATE TABLE meta (
  key text PRIMARY KEY,
  value bytea NOT NULL
);
)sql";

// Every committed change to a connection row is announced on channel
// ferry_connection_changes, so that each Ferry instance drops what it cached of that row
// (postgres_peers.h). The trigger announces in the writing transaction: PostgreSQL delivers
// the notification at commit and never for a rolled-back write, and no write path, however
// it was made (an instance, `ferry migrate`, an operator's psql), can forget to announce.
// Payload: {"instance": the writer's ferry.instance setting ("" outside Ferry),
// "provider_config_key", "connection_id"}; a key too long for NOTIFY's 8000-byte payload
// is announced as {"instance", "all": true} instead, as is a TRUNCATE.
constexpr std::string_view kV2ChangeAnnouncements = R"sql(
CREATE FUNCTION ferry_announce_connection(writer text, integration text, connection text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  payload text := json_build_object('instance', writer, 'provider_config_key', integration,
                                    'connection_id', connection)::text;
BEGIN
  IF integration IS NULL OR octet_length(payload) > 7900 THEN
    payload := json_build_object('instance', writer, 'all', true)::text;
  END IF;
  PERFORM pg_notify('ferry_connection_changes', payload);
END
$$;
CREATE FUNCTION ferry_announce_connection_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  writer text := coalesce(current_setting('ferry.instance', true), '');
BEGIN
  IF TG_LEVEL = 'STATEMENT' THEN
    PERFORM ferry_announce_connection(writer, NULL, NULL);
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM ferry_announce_connection(writer, OLD.provider_config_key, OLD.connection_id);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM ferry_announce_connection(writer, NEW.provider_config_key, NEW.connection_id);
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER connections_announce_rows AFTER INSERT OR UPDATE OR DELETE ON connections
  FOR EACH ROW EXECUTE FUNCTION ferry_announce_connection_change();
CREATE TRIGGER connections_announce_truncate AFTER TRUNCATE ON connections
  FOR EACH STATEMENT EXECUTE FUNCTION ferry_announce_connection_change();
)sql";

// Connection events (webhooks/): the outbox, written with the change that caused each event
// (seq orders them; id is the event's stable id), and the token times keep-alive refreshes
// and grant-expiry warnings are reckoned from.
constexpr std::string_view kV3Outbox = R"sql(
CREATE TABLE outbox (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id text NOT NULL UNIQUE,
  provider_config_key text NOT NULL,
  connection_id text NOT NULL,
  type text NOT NULL,
  body text NOT NULL,
  created_at bigint NOT NULL,
  state text NOT NULL DEFAULT 'pending',
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at bigint NOT NULL,
  leased_by text,
  lease_until bigint,
  delivered_at bigint,
  attempt_log text NOT NULL DEFAULT '[]'
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at, seq);
CREATE INDEX outbox_by_connection ON outbox (provider_config_key, connection_id, state, seq);
CREATE INDEX outbox_by_age ON outbox (created_at);
ALTER TABLE connections ADD COLUMN tokens_issued_at bigint;
ALTER TABLE connections ADD COLUMN grant_started_at bigint;
)sql";

// Asynchronous action runs (POST /action/trigger with X-Async): each run's state and result
// JSON, kept for the retention period; lease_until bounds how long a run may stay running.
constexpr std::string_view kV4AsyncActions = R"sql(
CREATE TABLE async_actions (
  id text PRIMARY KEY,
  environment text NOT NULL,
  provider_config_key text NOT NULL,
  connection_id text NOT NULL,
  action_name text NOT NULL,
  state text NOT NULL,
  result text NOT NULL,
  created_at bigint NOT NULL,
  lease_until bigint NOT NULL,
  finished_at bigint
);
CREATE INDEX async_actions_by_age ON async_actions (created_at);
CREATE INDEX async_actions_running ON async_actions (state, lease_until);
)sql";

constexpr Migration kPostgresMigrations[] = {
    {1, "base tables", kV1Base},
    {2, "connection change announcements", kV2ChangeAnnouncements},
    {3, "webhook outbox and token times", kV3Outbox},
    {4, "asynchronous actions", kV4AsyncActions},
};

}  // namespace

std::span<const Migration> postgres_migrations() { return kPostgresMigrations; }

}  // namespace ferry::store
