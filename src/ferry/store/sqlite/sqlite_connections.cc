// SqliteStore: the connection rows.
#include <string>
#include <tuple>
#include <utility>

#include "ferry/core/crypto.h"
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
    "errors, version, end_user, tags";

// Parameters ?1..?15 follow kColumns in both statements.
constexpr std::string_view kInsertSql =
    "INSERT INTO connections (id, provider_config_key, connection_id, provider, created_at, "
    "updated_at, last_fetched_at, credentials, credentials_encrypted, connection_config, "
    "metadata, errors, version, end_user, tags) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)";
constexpr std::string_view kUpdateSql =
    "UPDATE connections SET provider_config_key = ?2, connection_id = ?3, provider = ?4, "
    "created_at = ?5, updated_at = ?6, last_fetched_at = ?7, credentials = ?8, "
    "credentials_encrypted = ?9, connection_config = ?10, metadata = ?11, errors = ?12, "
    "version = ?13, end_user = ?14, tags = ?15 WHERE id = ?1";

std::string select_sql(std::string_view where) {
  return "SELECT " + std::string(kColumns) + " FROM connections " + std::string(where);
}

Status check_shape(const json& value, bool want_object, std::string_view field) {
  if (want_object ? value.is_object() : value.is_array()) return ok();
  return Error{Errc::invalid_argument,
               std::string(field) + " must be a JSON " + (want_object ? "object" : "array")};
}

// The JSON fields of `c` have the shapes Connection documents.
Status check_connection_shapes(const Connection& c) {
  for (auto [value, object, name] :
       {std::tuple{&c.connection_config, true, "connection_config"},
        std::tuple{&c.metadata, true, "metadata"}, std::tuple{&c.errors, false, "errors"},
        std::tuple{&c.tags, true, "tags"}}) {
    if (auto shaped = check_shape(*value, object, name); !shaped) return shaped;
  }
  if (!c.end_user.is_null() && !c.end_user.is_object()) {
    return Error{Errc::invalid_argument, "end_user must be null or a JSON object"};
  }
  return ok();
}

Error not_found(const ConnectionKey& key) {
  return Error{Errc::not_found, describe(key) + " does not exist"};
}

// Applies the set fields of `update` to `c`.
void apply(const ConnectionUpdate& update, Connection& c) {
  if (update.credentials) c.credentials = *update.credentials;
  if (update.connection_config) c.connection_config = *update.connection_config;
  if (update.metadata) c.metadata = *update.metadata;
  if (update.errors) c.errors = *update.errors;
  if (update.end_user) c.end_user = *update.end_user;
  if (update.tags) c.tags = *update.tags;
  if (update.last_fetched_at) c.last_fetched_at = sqlite::truncate_millis(*update.last_fetched_at);
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
  c.version = row.column_int(12);
  const std::string where = describe(c.key());
  std::string credentials = row.column_bytes(7);
  if (row.column_int(8) != 0) {
    if (!cipher_) {
      return Error{Errc::storage_corrupt,
                   "credentials of " + where + " are encrypted but no encryption_key is set"};
    }
    auto opened = cipher_->open(credentials, c.id);
    if (!opened) {
      return Error{Errc::storage_corrupt,
                   "credentials of " + where + " failed to decrypt: " + opened.error().message};
    }
    credentials = std::move(*opened);
  }
  auto stored = sqlite::parse_json(credentials, "the credentials of " + where);
  if (!stored) return std::move(stored).error();
  auto typed = credentials_from_json(*stored, where);
  if (!typed) return std::move(typed).error();
  c.credentials = std::move(*typed);
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
  std::optional<std::int64_t> fetched;
  if (c.last_fetched_at) fetched = sqlite::to_millis(*c.last_fetched_at);
  stmt->bind_text(1, c.id)
      .bind_text(2, c.provider_config_key)
      .bind_text(3, c.connection_id)
      .bind_text(4, c.provider)
      .bind_int(5, sqlite::to_millis(c.created_at))
      .bind_int(6, sqlite::to_millis(c.updated_at))
      .bind_optional_int(7, fetched)
      .bind_int(9, cipher_ ? 1 : 0)
      .bind_text(10, sqlite::dump_json(c.connection_config))
      .bind_text(11, sqlite::dump_json(c.metadata))
      .bind_text(12, sqlite::dump_json(c.errors))
      .bind_int(13, c.version)
      .bind_text(14, sqlite::dump_json(c.end_user))
      .bind_text(15, sqlite::dump_json(c.tags));
  const std::string credentials = sqlite::dump_json(credentials_to_json(c.credentials));
  if (cipher_) {
    stmt->bind_blob(8, cipher_->seal(credentials, c.id));
  } else {
    stmt->bind_text(8, credentials);
  }
  return stmt->run();
}

Result<Connection> SqliteStore::create_connection(Connection c) {
  if (c.provider_config_key.empty() || c.connection_id.empty()) {
    return Error{Errc::invalid_argument, "provider_config_key and connection_id are required"};
  }
  if (auto shaped = check_connection_shapes(c); !shaped) return std::move(shaped).error();
  const TimePoint now = sqlite::truncate_millis(clock_->now());
  if (c.id.empty()) c.id = uuid_v4();
  c.created_at = c.created_at == TimePoint{} ? now : sqlite::truncate_millis(c.created_at);
  c.updated_at = c.updated_at == TimePoint{} ? now : sqlite::truncate_millis(c.updated_at);
  if (c.last_fetched_at) c.last_fetched_at = sqlite::truncate_millis(*c.last_fetched_at);
  if (c.version == 0) c.version = 1;

  std::lock_guard lock(mu_);
  auto tx = Transaction::begin(db_);
  if (!tx) return std::move(tx).error();
  if (auto written = write_connection(c, /*is_new=*/true); !written) {
    if (written.error().code == Errc::conflict) {
      return Error{Errc::conflict, describe(c.key()) + " already exists"};
    }
    return std::move(written).error();
  }
  if (auto committed = tx->commit(); !committed) return std::move(committed).error();
  return c;
}

Result<Connection> SqliteStore::find_connection(const ConnectionKey& key) {
  std::lock_guard lock(mu_);
  auto found = find_locked(key);
  if (!found) return std::move(found).error();
  if (!*found) return not_found(key);
  return std::move(**found);
}

Result<std::vector<Connection>> SqliteStore::list_connections(const ConnectionFilter& filter) {
  std::string where =
      "WHERE (?1 IS NULL OR provider_config_key = ?1) "
      "AND (?2 IS NULL OR connection_id = ?2) "
      "ORDER BY created_at, id LIMIT ?3 OFFSET ?4";
  std::lock_guard lock(mu_);
  auto stmt = db_.prepare(select_sql(where), "list connections");
  if (!stmt) return std::move(stmt).error();
  if (filter.provider_config_key) stmt->bind_text(1, *filter.provider_config_key);
  if (filter.connection_id) stmt->bind_text(2, *filter.connection_id);
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

Status SqliteStore::delete_connection(const ConnectionKey& key) {
  std::lock_guard lock(mu_);
  auto tx = Transaction::begin(db_);
  if (!tx) return std::move(tx).error();
  auto stmt =
      db_.prepare("DELETE FROM connections WHERE provider_config_key = ? AND connection_id = ?",
                  "delete connection");
  if (!stmt) return std::move(stmt).error();
  auto deleted = stmt->bind_text(1, key.provider_config_key).bind_text(2, key.connection_id).run();
  if (!deleted) return deleted;
  if (db_.changes() == 0) return not_found(key);
  return tx->commit();
}

Result<Connection> SqliteStore::update_connection(const ConnectionKey& key,
                                                  const ConnectionUpdate& update) {
  std::lock_guard lock(mu_);
  auto tx = Transaction::begin(db_);
  if (!tx) return std::move(tx).error();
  auto found = find_locked(key);
  if (!found) return std::move(found).error();
  if (!*found) return not_found(key);
  Connection c = std::move(**found);
  if (update.expected_version && *update.expected_version != c.version) {
    return Error{Errc::conflict, describe(key) + " changed meanwhile (version " +
                                     std::to_string(c.version) + ", expected " +
                                     std::to_string(*update.expected_version) + ")"};
  }
  apply(update, c);
  if (auto shaped = check_connection_shapes(c); !shaped) return std::move(shaped).error();
  c.updated_at = sqlite::truncate_millis(clock_->now());
  ++c.version;
  if (auto written = write_connection(c, /*is_new=*/false); !written) {
    return std::move(written).error();
  }
  if (auto committed = tx->commit(); !committed) return std::move(committed).error();
  return c;
}

Status SqliteStore::set_metadata(const std::string& provider_config_key,
                                 const std::vector<std::string>& connection_ids,
                                 const nlohmann::json& metadata, bool merge) {
  if (!metadata.is_object()) {
    return Error{Errc::invalid_argument, "metadata must be a JSON object"};
  }
  if (connection_ids.empty()) {
    return Error{Errc::invalid_argument, "set_metadata needs at least one connection id"};
  }
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
    if (!*row) return not_found(key);
    const std::string stored = read->column_bytes(0);
    read->reset();  // done reading before the row is written
    json next = metadata;
    if (merge) {
      auto current = sqlite::parse_json(stored, "metadata of " + describe(key));
      if (!current) return std::move(current).error();
      next = current->is_object() ? std::move(*current) : json::object();
      for (const auto& [name, value] : metadata.items()) next[name] = value;
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
