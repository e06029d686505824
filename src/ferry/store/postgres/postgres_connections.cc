// PostgresStore: the connection rows.
#include <string>
#include <utility>

#include "ferry/store/connection_rules.h"
#include "ferry/store/postgres/postgres_store.h"
#include "ferry/store/row_codec.h"
#include "ferry/store/sealed_credentials.h"

namespace ferry::store {
namespace {

using nlohmann::json;
using pg::DbConnection;
using pg::Param;

constexpr std::string_view kColumns =
    "id, provider_config_key, connection_id, provider, created_at, updated_at, "
    "last_fetched_at, credentials, credentials_encrypted, connection_config, metadata, "
    "errors, version, end_user, tags, tokens_issued_at, grant_started_at";

// Parameters $1..$17 follow kColumns in both statements.
constexpr std::string_view kInsertSql =
    "INSERT INTO connections (id, provider_config_key, connection_id, provider, created_at, "
    "updated_at, last_fetched_at, credentials, credentials_encrypted, connection_config, "
    "metadata, errors, version, end_user, tags, tokens_issued_at, grant_started_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)";
constexpr std::string_view kUpdateSql =
    "UPDATE connections SET provider_config_key = $2, connection_id = $3, provider = $4, "
    "created_at = $5, updated_at = $6, last_fetched_at = $7, credentials = $8, "
    "credentials_encrypted = $9, connection_config = $10, metadata = $11, errors = $12, "
    "version = $13, end_user = $14, tags = $15, tokens_issued_at = $16, "
    "grant_started_at = $17 WHERE id = $1";

std::string select_sql(std::string_view where) {
  return "SELECT " + std::string(kColumns) + " FROM connections " + std::string(where);
}

}  // namespace

Result<Connection> PostgresStore::decode_connection(const pg::Rows& rows, int row) const {
  Connection c;
  c.id = rows.bytes(row, 0);
  c.provider_config_key = rows.bytes(row, 1);
  c.connection_id = rows.bytes(row, 2);
  c.provider = rows.bytes(row, 3);
  c.created_at = from_millis(rows.integer(row, 4));
  c.updated_at = from_millis(rows.integer(row, 5));
  if (!rows.is_null(row, 6)) c.last_fetched_at = from_millis(rows.integer(row, 6));
  if (!rows.is_null(row, 15)) c.tokens_issued_at = from_millis(rows.integer(row, 15));
  if (!rows.is_null(row, 16)) c.grant_started_at = from_millis(rows.integer(row, 16));
  c.version = rows.integer(row, 12);
  const std::string where = describe(c.key());
  auto credentials =
      load_credentials(rows.bytes(row, 7), rows.boolean(row, 8), cipher(), c.id, where);
  if (!credentials) return std::move(credentials).error();
  c.credentials = std::move(*credentials);
  for (auto [target, column] : {std::pair{&c.connection_config, 9}, std::pair{&c.metadata, 10},
                                std::pair{&c.errors, 11}, std::pair{&c.end_user, 13},
                                std::pair{&c.tags, 14}}) {
    auto parsed = parse_json(rows.bytes(row, column), "a JSON column of " + where);
    if (!parsed) return std::move(parsed).error();
    *target = std::move(*parsed);
  }
  return c;
}

Result<std::optional<Connection>> PostgresStore::find_in(DbConnection& db,
                                                         const ConnectionKey& key,
                                                         bool for_update) {
  auto rows = db.exec(select_sql(for_update ? "WHERE provider_config_key = $1 AND "
                                              "connection_id = $2 FOR UPDATE"
                                            : "WHERE provider_config_key = $1 AND "
                                              "connection_id = $2"),
                      {pg::text(key.provider_config_key), pg::text(key.connection_id)},
                      "find connection");
  if (!rows) return std::move(rows).error();
  if (rows->empty()) return std::optional<Connection>();
  auto c = decode_connection(*rows, 0);
  if (!c) return std::move(c).error();
  return std::optional<Connection>(std::move(*c));
}

// Writes every column of `c`: a new row, or the existing row with c.id. Credentials are
// sealed when a key is configured, which also seals rows written before it was.
Status PostgresStore::write_connection(DbConnection& db, const Connection& c, bool is_new) {
  const StoredCredentials credentials = store_credentials(c.credentials, cipher(), c.id);
  auto millis = [](const std::optional<TimePoint>& t) -> Param {
    return t ? pg::integer(to_millis(*t)) : pg::null();
  };
  const Param params[] = {pg::text(c.id),
                          pg::text(c.provider_config_key),
                          pg::text(c.connection_id),
                          pg::text(c.provider),
                          pg::integer(to_millis(c.created_at)),
                          pg::integer(to_millis(c.updated_at)),
                          millis(c.last_fetched_at),
                          pg::bytea(credentials.bytes),
                          pg::boolean(credentials.encrypted),
                          pg::text(dump_json(c.connection_config)),
                          pg::text(dump_json(c.metadata)),
                          pg::text(dump_json(c.errors)),
                          pg::integer(c.version),
                          pg::text(dump_json(c.end_user)),
                          pg::text(dump_json(c.tags)),
                          millis(c.tokens_issued_at),
                          millis(c.grant_started_at)};
  auto written = db.exec(is_new ? kInsertSql : kUpdateSql, params, "write connection");
  if (!written) return std::move(written).error();
  return ok();
}

Result<Connection> PostgresStore::create_connection(Connection connection,
                                                    const std::vector<OutboxEvent>& events) {
  auto prepared = prepare_new_connection(std::move(connection), clock_->now());
  if (!prepared) return prepared;
  auto db = queries_.acquire();
  if (!db) return std::move(db).error();
  auto tx = pg::Transaction::begin(**db);
  if (!tx) return std::move(tx).error();
  // The unique constraints decide a race between two creators.
  if (auto written = write_connection(**db, *prepared, /*is_new=*/true); !written) {
    if (written.error().code == Errc::conflict) return connection_exists(prepared->key());
    return std::move(written).error();
  }
  if (auto queued = append_outbox_in(**db, events); !queued) return std::move(queued).error();
  if (auto committed = tx->commit(); !committed) return std::move(committed).error();
  return prepared;
}

Result<Connection> PostgresStore::find_connection(const ConnectionKey& key) {
  auto db = queries_.acquire();
  if (!db) return std::move(db).error();
  auto found = find_in(**db, key, /*for_update=*/false);
  if (!found) return std::move(found).error();
  if (!*found) return connection_not_found(key);
  return std::move(**found);
}

Result<std::vector<Connection>> PostgresStore::list_connections(const ConnectionFilter& filter) {
  // A NULL limit is no limit. end_user and tags hold JSON text ('null' and '{}' when
  // unset). Every tag wanted ($10) must be one of the row's string tags, its key compared
  // without regard to case.
  const std::string where =
      "WHERE ($1::text IS NULL OR provider_config_key = $1::text) "
      "AND ($6::jsonb IS NULL OR provider_config_key IN "
      "  (SELECT jsonb_array_elements_text($6::jsonb))) "
      "AND ($2::text IS NULL OR connection_id = $2::text) "
      "AND ($5::bigint IS NULL OR coalesce(tokens_issued_at, created_at) < $5::bigint) "
      "AND ($7::text IS NULL OR end_user::jsonb ->> 'id' = $7::text) "
      "AND ($8::text IS NULL OR end_user::jsonb #>> '{organization,id}' = $8::text) "
      "AND ($9::text IS NULL OR strpos(lower(connection_id), lower($9::text)) > 0 "
      "  OR strpos(lower(coalesce(end_user::jsonb ->> 'email', '')), lower($9::text)) > 0 "
      "  OR strpos(lower(coalesce(end_user::jsonb ->> 'display_name', '')), lower($9::text)) > 0) "
      "AND NOT EXISTS (SELECT 1 FROM jsonb_each_text($10::jsonb) AS wanted WHERE NOT EXISTS ("
      "  SELECT 1 FROM jsonb_each(connections.tags::jsonb) AS tag "
      "  WHERE lower(tag.key) = lower(wanted.key) AND tag.value = to_jsonb(wanted.value))) "
      "ORDER BY created_at, id LIMIT $3::bigint OFFSET $4::bigint";
  auto optional_text = [](const std::optional<std::string>& value) {
    return value ? pg::text(*value) : pg::null();
  };
  const Param params[] = {
      optional_text(filter.provider_config_key),
      optional_text(filter.connection_id),
      filter.limit == 0 ? pg::null() : pg::integer(static_cast<std::int64_t>(filter.limit)),
      pg::integer(static_cast<std::int64_t>(filter.offset)),
      filter.tokens_issued_before ? pg::integer(to_millis(*filter.tokens_issued_before))
                                  : pg::null(),
      filter.provider_config_keys.empty()
          ? pg::null()
          : pg::text(nlohmann::json(filter.provider_config_keys).dump()),
      optional_text(filter.end_user_id),
      optional_text(filter.end_user_organization_id),
      optional_text(filter.search),
      pg::text(filter.tags.is_object() ? filter.tags.dump() : std::string("{}"))};
  auto db = queries_.acquire();
  if (!db) return std::move(db).error();
  auto rows = (*db)->exec(select_sql(where), params, "list connections");
  if (!rows) return std::move(rows).error();
  std::vector<Connection> out;
  out.reserve(static_cast<std::size_t>(rows->size()));
  for (int row = 0; row < rows->size(); ++row) {
    auto c = decode_connection(*rows, row);
    if (!c) return std::move(c).error();
    out.push_back(std::move(*c));
  }
  return out;
}

Status PostgresStore::delete_connection(const ConnectionKey& key,
                                       const std::vector<OutboxEvent>& events) {
  auto db = queries_.acquire();
  if (!db) return std::move(db).error();
  auto tx = pg::Transaction::begin(**db);
  if (!tx) return std::move(tx).error();
  auto deleted =
      (*db)->exec("DELETE FROM connections WHERE provider_config_key = $1 AND connection_id = $2",
                  {pg::text(key.provider_config_key), pg::text(key.connection_id)},
                  "delete connection");
  if (!deleted) return std::move(deleted).error();
  if (deleted->affected() == 0) return connection_not_found(key);
  if (auto queued = append_outbox_in(**db, events); !queued) return queued;
  return tx->commit();
}

Result<Connection> PostgresStore::update_connection(const ConnectionKey& key,
                                                    const ConnectionUpdate& update) {
  auto db = queries_.acquire();
  if (!db) return std::move(db).error();
  auto tx = pg::Transaction::begin(**db);
  if (!tx) return std::move(tx).error();
  // The row stays locked until the transaction ends: the version check below cannot be
  // overtaken by another writer, in this instance or another.
  auto found = find_in(**db, key, /*for_update=*/true);
  if (!found) return std::move(found).error();
  if (!*found) return connection_not_found(key);
  Connection c = std::move(**found);
  if (update.expected_version && *update.expected_version != c.version) {
    return version_conflict(key, c.version, *update.expected_version);
  }
  apply_update(update, c);
  if (auto shaped = check_connection_shapes(c); !shaped) return std::move(shaped).error();
  c.updated_at = truncate_millis(clock_->now());
  ++c.version;
  if (auto written = write_connection(**db, c, /*is_new=*/false); !written) {
    return std::move(written).error();
  }
  if (auto queued = append_outbox_in(**db, update.events); !queued) {
    return std::move(queued).error();
  }
  if (auto committed = tx->commit(); !committed) return std::move(committed).error();
  return c;
}

Status PostgresStore::set_metadata(const std::string& provider_config_key,
                                   const std::vector<std::string>& connection_ids,
                                   const nlohmann::json& metadata, bool merge) {
  if (auto checked = check_metadata_request(metadata, connection_ids); !checked) return checked;
  const std::int64_t now = to_millis(clock_->now());
  auto db = queries_.acquire();
  if (!db) return std::move(db).error();
  auto tx = pg::Transaction::begin(**db);
  if (!tx) return std::move(tx).error();
  // Every listed row is locked first, in one order (connection_id), so two set_metadata
  // calls over overlapping lists wait for each other instead of deadlocking.
  auto locked = (*db)->exec(
      "SELECT connection_id FROM connections WHERE provider_config_key = $1 "
      "AND connection_id IN (SELECT jsonb_array_elements_text($2::jsonb)) "
      "ORDER BY connection_id COLLATE \"C\" FOR UPDATE",
      {pg::text(provider_config_key), pg::text(dump_json(connection_ids))},
      "lock connections for metadata");
  if (!locked) return std::move(locked).error();
  for (const std::string& id : connection_ids) {
    const ConnectionKey key{provider_config_key, id};
    auto read = (*db)->exec(
        "SELECT metadata FROM connections WHERE provider_config_key = $1 AND connection_id = $2",
        {pg::text(key.provider_config_key), pg::text(key.connection_id)}, "read metadata");
    if (!read) return std::move(read).error();
    if (read->empty()) return connection_not_found(key);  // `tx` rolls back: nothing changes
    json next = metadata;
    if (merge) {
      auto current = parse_json(read->bytes(0, 0), "metadata of " + describe(key));
      if (!current) return std::move(current).error();
      next = next_metadata(*current, metadata, merge);
    }
    auto written = (*db)->run(
        "UPDATE connections SET metadata = $1, updated_at = $2, version = version + 1 "
        "WHERE provider_config_key = $3 AND connection_id = $4",
        {pg::text(dump_json(next)), pg::integer(now), pg::text(key.provider_config_key),
         pg::text(key.connection_id)},
        "write metadata");
    if (!written) return written;
  }
  return tx->commit();
}

}  // namespace ferry::store
