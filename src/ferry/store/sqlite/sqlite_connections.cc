// SqliteStore: the connection rows.
#include <string>
#include <utility>

#include "ferry/store/connection_rules.h"
#include "ferry/store/sealed_credentials.h"
#include "ferry/store/sqlite/codec.h"
#include "ferry/store/sqlite/sqlite_store.h"

namespace ferry::store {
namespace {

using nlohmann::json;
using sqlite::Statement;
using sqlite::Transaction;

constexpr std::string_view kColumns =
    "id, provider_config_key, connection_id, provider, created_at, updated_at, "
    "last_fetched_at, credentials, credentials_encrypted, connection_config, metadata, "
    "errors, version, end_user, tags, tokens_issued_at, grant_started_at";

// Parameters ?1..?17 follow kColumns in both statements.
constexpr std::string_view kInsertSql =
    "INSERT INTO connections (id, provider_config_key, connection_id, provider, created_at, "
    "updated_at, last_fetched_at, credentials, credentials_encrypted, connection_config, "
    "metadata, errors, version, end_user, tags, tokens_issued_at, grant_started_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)";
constexpr std::string_view kUpdateSql =
    "UPDATE connections SET provider_config_key = ?2, connection_id = ?3, provider = ?4, "
    "created_at = ?5, updated_at = ?6, last_fetched_at = ?7, credentials = ?8, "
    "credentials_encrypted = ?9, connection_config = ?10, metadata = ?11, errors = ?12, "
    "version = ?13, end_user = ?14, tags = ?15, tokens_issued_at = ?16, "
    "grant_started_at = ?17 WHERE id = ?1";

std::string select_sql(std::string_view where) {
  return "SELECT " + std::string(kColumns) + " FROM connections " + std::string(where);
}

}  // namespace

Result<Connection> SqliteStore::decode_connection(const Statement& row) const {
  Connection c;
  c.id = row.column_bytes(0);
  c.provider_config_key = row.column_bytes(1);
  c.connection_id = row.column_bytes(2);
  c.provider = row.column_bytes(3);
  c.created_at = sqlite::from_millis(row.column_int(4));
  c.updated_at = sqlite::from_millis(row.column_int(5));
  if (!row.column_is_null(6)) c.last_fetched_at = sqlite::from_millis(row.column_int(6));
  if (!row.column_is_null(15)) c.tokens_issued_at = sqlite::from_millis(row.column_int(15));
  if (!row.column_is_null(16)) c.grant_started_at = sqlite::from_millis(row.column_int(16));
  c.version = row.column_int(12);
  const std::string where = describe(c.key());
  auto credentials = load_credentials(row.column_bytes(7), row.column_int(8) != 0,
                                      cipher_ ? &*cipher_ : nullptr, c.id, where);
  if (!credentials) return std::move(credentials).error();
  c.credentials = std::move(*credentials);
  auto fields = {std::pair{&c.connection_config, row.column_bytes(9)},
                 std::pair{&c.metadata, row.column_bytes(10)},
                 std::pair{&c.errors, row.column_bytes(11)},
                 std::pair{&c.end_user, row.column_bytes(13)},
                 std::pair{&c.tags, row.column_bytes(14)}};
  for (const auto& [target, text] : fields) {
    auto parsed = sqlite::parse_json(text, "a JSON column of " + where);
    if (!parsed) return std::move(parsed).error();
    *target = std::move(*parsed);
  }
  return c;
}

Result<std::optional<Connection>> SqliteStore::find_locked(const ConnectionKey& key) {
  auto stmt = db_.prepare(select_sql("WHERE provider_config_key = ? AND connection_id = ?"),
                          "find connection");
  if (!stmt) return std::move(stmt).error();
  auto row = stmt->bind_text(1, key.provider_config_key).bind_text(2, key.connection_id).step();
  if (!row) return std::move(row).error();
  if (!*row) return std::optional<Connection>();
  auto c = decode_connection(*stmt);
  if (!c) return std::move(c).error();
  return std::optional<Connection>(std::move(*c));
}

// Writes every column of `c`: a new row, or the existing row with c.id. Credentials are
// sealed when a key is configured, which also seals rows written before it was.
Status SqliteStore::write_connection(const Connection& c, bool is_new) {
  auto stmt = db_.prepare(is_new ? kInsertSql : kUpdateSql, "write connection");
  if (!stmt) return std::move(stmt).error();
  auto millis = [](const std::optional<TimePoint>& t) -> std::optional<std::int64_t> {
    if (!t) return std::nullopt;
    return sqlite::to_millis(*t);
  };
  stmt->bind_text(1, c.id)
      .bind_text(2, c.provider_config_key)
      .bind_text(3, c.connection_id)
      .bind_text(4, c.provider)
      .bind_int(5, sqlite::to_millis(c.created_at))
      .bind_int(6, sqlite::to_millis(c.updated_at))
      .bind_optional_int(7, millis(c.last_fetched_at))
      .bind_text(10, sqlite::dump_json(c.connection_config))
      .bind_text(11, sqlite::dump_json(c.metadata))
      .bind_text(12, sqlite::dump_json(c.errors))
      .bind_int(13, c.version)
      .bind_text(14, sqlite::dump_json(c.end_user))
      .bind_text(15, sqlite::dump_json(c.tags))
      .bind_optional_int(16, millis(c.tokens_issued_at))
      .bind_optional_int(17, millis(c.grant_started_at));
  const StoredCredentials credentials =
      store_credentials(c.credentials, cipher_ ? &*cipher_ : nullptr, c.id);
  stmt->bind_int(9, credentials.encrypted ? 1 : 0);
  if (credentials.encrypted) {
    stmt->bind_blob(8, credentials.bytes);
  } else {
    stmt->bind_text(8, credentials.bytes);
  }
  return stmt->run();
}

Result<Connection> SqliteStore::create_connection(Connection connection,
                                                  const std::vector<OutboxEvent>& events) {
  auto prepared = prepare_new_connection(std::move(connection), clock_->now());
  if (!prepared) return prepared;
  Connection& c = *prepared;

  std::lock_guard lock(mu_);
  auto tx = Transaction::begin(db_);
  if (!tx) return std::move(tx).error();
  if (auto written = write_connection(c, /*is_new=*/true); !written) {
    if (written.error().code == Errc::conflict) {
      return connection_exists(c.key());
    }
    return std::move(written).error();
  }
  if (auto queued = append_outbox_locked(events); !queued) return std::move(queued).error();
  if (auto committed = tx->commit(); !committed) return std::move(committed).error();
  return prepared;
}

Result<Connection> SqliteStore::find_connection(const ConnectionKey& key) {
  std::lock_guard lock(mu_);
  auto found = find_locked(key);
  if (!found) return std::move(found).error();
  if (!*found) return connection_not_found(key);
  return std::move(**found);
}

Result<std::vector<Connection>> SqliteStore::list_connections(const ConnectionFilter& filter) {
  // end_user and tags hold JSON text ('null' and '{}' when unset). Every tag wanted
  // (?10) must be one of the row's tags, its key compared without regard to ASCII case.
  std::string where =
      "WHERE (?1 IS NULL OR provider_config_key = ?1) "
      "AND (?6 IS NULL OR provider_config_key IN (SELECT value FROM json_each(?6))) "
      "AND (?2 IS NULL OR connection_id = ?2) "
      "AND (?5 IS NULL OR coalesce(tokens_issued_at, created_at) < ?5) "
      "AND (?7 IS NULL OR json_extract(end_user, '$.id') = ?7) "
      "AND (?8 IS NULL OR json_extract(end_user, '$.organization.id') = ?8) "
      "AND (?9 IS NULL OR instr(lower(connection_id), lower(?9)) > 0 "
      "  OR instr(lower(coalesce(json_extract(end_user, '$.email'), '')), lower(?9)) > 0 "
      "  OR instr(lower(coalesce(json_extract(end_user, '$.display_name'), '')), lower(?9)) > 0) "
      "AND NOT EXISTS (SELECT 1 FROM json_each(?10) AS wanted WHERE NOT EXISTS ("
      "  SELECT 1 FROM json_each(connections.tags) AS tag WHERE lower(tag.key) = lower(wanted.key) "
      "  AND tag.type = 'text' AND tag.value = wanted.value)) "
      "ORDER BY created_at, id LIMIT ?3 OFFSET ?4";
  std::lock_guard lock(mu_);
  auto stmt = db_.prepare(select_sql(where), "list connections");
  if (!stmt) return std::move(stmt).error();
  if (filter.provider_config_key) stmt->bind_text(1, *filter.provider_config_key);
  if (filter.connection_id) stmt->bind_text(2, *filter.connection_id);
  if (filter.tokens_issued_before) {
    stmt->bind_int(5, sqlite::to_millis(*filter.tokens_issued_before));
  }
  if (!filter.provider_config_keys.empty()) {
    stmt->bind_text(6, nlohmann::json(filter.provider_config_keys).dump());
  }
  if (filter.end_user_id) stmt->bind_text(7, *filter.end_user_id);
  if (filter.end_user_organization_id) stmt->bind_text(8, *filter.end_user_organization_id);
  if (filter.search) stmt->bind_text(9, *filter.search);
  stmt->bind_text(10, filter.tags.is_object() ? filter.tags.dump() : std::string("{}"));
  // SQLite reads a negative LIMIT as "no limit".
  stmt->bind_int(3, filter.limit == 0 ? -1 : static_cast<std::int64_t>(filter.limit))
      .bind_int(4, static_cast<std::int64_t>(filter.offset));
  std::vector<Connection> out;
  for (;;) {
    auto row = stmt->step();
    if (!row) return std::move(row).error();
    if (!*row) return out;
    auto c = decode_connection(*stmt);
    if (!c) return std::move(c).error();
    out.push_back(std::move(*c));
  }
}

Status SqliteStore::delete_connection(const ConnectionKey& key,
                                     const std::vector<OutboxEvent>& events) {
  std::lock_guard lock(mu_);
  auto tx = Transaction::begin(db_);
  if (!tx) return std::move(tx).error();
  auto stmt =
      db_.prepare("DELETE FROM connections WHERE provider_config_key = ? AND connection_id = ?",
                  "delete connection");
  if (!stmt) return std::move(stmt).error();
  auto deleted = stmt->bind_text(1, key.provider_config_key).bind_text(2, key.connection_id).run();
  if (!deleted) return deleted;
  if (db_.changes() == 0) return connection_not_found(key);
  if (auto queued = append_outbox_locked(events); !queued) return queued;
  return tx->commit();
}

Result<Connection> SqliteStore::update_connection(const ConnectionKey& key,
                                                  const ConnectionUpdate& update) {
  std::lock_guard lock(mu_);
  auto tx = Transaction::begin(db_);
  if (!tx) return std::move(tx).error();
  auto found = find_locked(key);
  if (!found) return std::move(found).error();
  if (!*found) return connection_not_found(key);
  Connection c = std::move(**found);
  if (update.expected_version && *update.expected_version != c.version) {
    return version_conflict(key, c.version, *update.expected_version);
  }
  apply_update(update, c);
  if (auto shaped = check_connection_shapes(c); !shaped) return std::move(shaped).error();
  c.updated_at = sqlite::truncate_millis(clock_->now());
  ++c.version;
  if (auto written = write_connection(c, /*is_new=*/false); !written) {
    return std::move(written).error();
  }
  if (auto queued = append_outbox_locked(update.events); !queued) {
    return std::move(queued).error();
  }
  if (auto committed = tx->commit(); !committed) return std::move(committed).error();
  return c;
}

Status SqliteStore::set_metadata(const std::string& provider_config_key,
                                 const std::vector<std::string>& connection_ids,
                                 const nlohmann::json& metadata, bool merge) {
  if (auto checked = check_metadata_request(metadata, connection_ids); !checked) return checked;
  std::lock_guard lock(mu_);
  auto tx = Transaction::begin(db_);
  if (!tx) return std::move(tx).error();
  if (auto set = set_metadata_locked(provider_config_key, connection_ids, metadata, merge); !set) {
    return set;  // `tx` rolls back: no connection is changed
  }
  return tx->commit();
}

Status SqliteStore::set_metadata_locked(const std::string& provider_config_key,
                                        const std::vector<std::string>& connection_ids,
                                        const nlohmann::json& metadata, bool merge) {
  const std::int64_t now = sqlite::to_millis(clock_->now());
  for (const std::string& id : connection_ids) {
    const ConnectionKey key{provider_config_key, id};
    auto read = db_.prepare(
        "SELECT metadata FROM connections "
        "WHERE provider_config_key = ? AND connection_id = ?",
        "read metadata");
    if (!read) return std::move(read).error();
    auto row = read->bind_text(1, key.provider_config_key).bind_text(2, key.connection_id).step();
    if (!row) return std::move(row).error();
    if (!*row) return connection_not_found(key);
    const std::string stored = read->column_bytes(0);
    read->reset();  // done reading before the row is written
    json next = metadata;
    if (merge) {
      auto current = sqlite::parse_json(stored, "metadata of " + describe(key));
      if (!current) return std::move(current).error();
      next = next_metadata(*current, metadata, merge);
    }
    auto write = db_.prepare(
        "UPDATE connections SET metadata = ?, updated_at = ?, "
        "version = version + 1 "
        "WHERE provider_config_key = ? AND connection_id = ?",
        "write metadata");
    if (!write) return std::move(write).error();
    auto written = write->bind_text(1, sqlite::dump_json(next))
                       .bind_int(2, now)
                       .bind_text(3, key.provider_config_key)
                       .bind_text(4, key.connection_id)
                       .run();
    if (!written) return written;
  }
  return ok();
}

}  // namespace ferry::store
