#include "ferry/store/postgres/connection.h"

#include <libpq-fe.h>
#include <poll.h>

#include <string>
#include <utility>
#include <vector>

#include "ferry/observe/log.h"

namespace ferry::store::pg {
namespace {

constexpr Oid kByteaOid = 17;  // pg_type.oid of bytea, fixed since PostgreSQL 7

// What a failed statement means for the caller and for the connection.
struct Failure {
  Errc code;
  bool lost_connection;
};

Failure classify(std::string_view state, bool connection_bad) {
  if (connection_bad || state.starts_with("08") || state == "57P01" || state == "57P02" ||
      state == "57P03") {
    return {Errc::unavailable, true};
  }
  // Timed out, deadlock victim, serialization failure, lock not available, out of resources:
  // the database is there but cannot serve this now.
  if (state == "57014" || state == "40P01" || state == "40001" || state == "55P03" ||
      state.starts_with("53")) {
    return {Errc::unavailable, false};
  }
  if (state == "23505") return {Errc::conflict, false};
  // Invalid UTF-8, a character the database encoding lacks, a NUL in text.
  if (state == "22021" || state == "22P05") return {Errc::invalid_argument, false};
  return {Errc::internal, false};
}

// Notices, and errors the server sends outside any statement: libpq hands both here. A
// FATAL one is the server ending the session (pg_terminate_backend, a shutdown), which
// `ended_by_server` records for is_usable().
void receive_notice(void* ended_by_server, const PGresult* notice) {
  const char* severity = PQresultErrorField(notice, PG_DIAG_SEVERITY_NONLOCALIZED);
  if (severity != nullptr &&
      (std::string_view(severity) == "FATAL" || std::string_view(severity) == "PANIC")) {
    *static_cast<bool*>(ended_by_server) = true;
  }
  observe::debug("PostgreSQL notice: {}", std::string_view(PQresultErrorMessage(notice)));
}

// True when `fd` has bytes (or an end of file) to read right now.
bool is_readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 0) > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR)) != 0;
}

}  // namespace

Result<DbConnection> DbConnection::connect(std::shared_ptr<const Target> target,
                                           const ConnectOptions& options) {
  const std::string timeout = std::to_string(options.connect_timeout.count());
  // Keywords are applied in order: the URL (expanded from dbname) overrides the defaults
  // before it, but not client_encoding after it, which every query of ours relies on.
  // TCP keepalives and tcp_user_timeout notice a server gone silent (a network partition,
  // a powered-off host) within about ten seconds, where the statement timeout, which the
  // server enforces, cannot help.
  const char* keywords[] = {"connect_timeout",  "application_name", "keepalives",
                            "keepalives_idle",  "keepalives_interval", "keepalives_count",
                            "tcp_user_timeout", "dbname",              "client_encoding",
                            nullptr};
  const char* values[] = {timeout.c_str(), "ferry", "1", "5", "2", "3", "10000",
                          target->url.c_str(), "UTF8", nullptr};
  PGconn* conn = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (conn == nullptr) {
    return Error{Errc::unavailable, "cannot connect to database " + target->label +
                                        ": libpq could not allocate a connection"};
  }
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string reason = scrub(*target, PQerrorMessage(conn));
    PQfinish(conn);
    return Error{Errc::unavailable, "cannot connect to database " + target->label + ": " + reason};
  }
  DbConnection db(conn, std::move(target));
  auto set = db.run(
      "SELECT set_config('statement_timeout', $1, false), set_config('ferry.instance', $2, false)",
      {text(std::to_string(options.statement_timeout.count())), text(options.instance_id)},
      "set session settings");
  if (!set) return std::move(set).error();
  return db;
}

DbConnection::DbConnection(pg_conn* conn, std::shared_ptr<const Target> target)
    : conn_(conn), target_(std::move(target)), ended_by_server_(std::make_unique<bool>(false)) {
  PQsetNoticeReceiver(conn_, receive_notice, ended_by_server_.get());
}

DbConnection::DbConnection(DbConnection&& other) noexcept
    : conn_(std::exchange(other.conn_, nullptr)),
      target_(std::move(other.target_)),
      broken_(other.broken_),
      ended_by_server_(std::move(other.ended_by_server_)) {}

DbConnection& DbConnection::operator=(DbConnection&& other) noexcept {
  if (this != &other) {
    PQfinish(conn_);
    conn_ = std::exchange(other.conn_, nullptr);
    target_ = std::move(other.target_);
    broken_ = other.broken_;
    ended_by_server_ = std::move(other.ended_by_server_);
  }
  return *this;
}

DbConnection::~DbConnection() {
  if (conn_ != nullptr) PQfinish(conn_);
}

Result<Rows> DbConnection::exec(std::string_view sql, std::span<const Param> params,
                                std::string_view what) {
  if (broken_) {
    return Error{Errc::unavailable, std::string(what) + ": lost the connection to database " +
                                        target_->label};
  }
  std::vector<const char*> values(params.size());
  std::vector<int> lengths(params.size());
  std::vector<int> formats(params.size());
  std::vector<Oid> types(params.size());
  for (std::size_t i = 0; i < params.size(); ++i) {
    const Param& p = params[i];
    if (!p.value) continue;  // NULL: a null pointer
    // Text parameters travel NUL-terminated; an inner NUL would silently cut the value.
    if (!p.is_bytea && p.value->find('\0') != std::string::npos) {
      return Error{Errc::invalid_argument,
                   std::string(what) + ": text holds a NUL byte, which PostgreSQL cannot store"};
    }
    values[i] = p.value->c_str();
    lengths[i] = static_cast<int>(p.value->size());
    formats[i] = p.is_bytea ? 1 : 0;
    types[i] = p.is_bytea ? kByteaOid : 0;
  }
  const std::string statement(sql);
  return finish(PQexecParams(conn_, statement.c_str(), static_cast<int>(params.size()),
                             types.data(), values.data(), lengths.data(), formats.data(),
                             /*resultFormat=binary*/ 1),
                what);
}

Status DbConnection::run_script(std::string_view sql, std::string_view what) {
  if (broken_) {
    return Error{Errc::unavailable, std::string(what) + ": lost the connection to database " +
                                        target_->label};
  }
  const std::string script(sql);
  auto done = finish(PQexec(conn_, script.c_str()), what);
  if (!done) return std::move(done).error();
  return ok();
}

Result<Rows> DbConnection::finish(pg_result* result, std::string_view what) {
  Rows rows(result);
  const ExecStatusType status = result == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(result);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return rows;

  const char* state = result == nullptr ? nullptr : PQresultErrorField(result, PG_DIAG_SQLSTATE);
  const char* primary =
      result == nullptr ? nullptr : PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
  const Failure failure =
      classify(state == nullptr ? "" : state, PQstatus(conn_) != CONNECTION_OK);
  std::string reason = scrub(*target_, primary != nullptr ? primary : PQerrorMessage(conn_));
  if (failure.lost_connection) {
    broken_ = true;
    return Error{failure.code, std::string(what) + ": lost the connection to database " +
                                   target_->label + " (" + reason + ")"};
  }
  return Error{failure.code, std::string(what) + ": " + reason};
}

Status DbConnection::run(std::string_view sql, std::initializer_list<Param> params,
                         std::string_view what) {
  auto rows = exec(sql, params, what);
  if (!rows) return std::move(rows).error();
  return ok();
}

bool DbConnection::is_usable() {
  if (broken_ || conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK ||
      PQtransactionStatus(conn_) != PQTRANS_IDLE) {
    broken_ = true;
    return false;
  }
  // Nothing arrives on an idle connection but the server's goodbye (a FATAL error, then
  // the end of the stream), which may come in several reads, and the socket may still be
  // open when the goodbye is there. PQisBusy() parses what was read, handing the goodbye to
  // receive_notice().
  bool lost = false;
  for (int round = 0; round < 4 && !lost && is_readable(PQsocket(conn_)); ++round) {
    lost = PQconsumeInput(conn_) == 0;
    if (!lost) (void)PQisBusy(conn_);
    lost = lost || *ended_by_server_ || PQstatus(conn_) != CONNECTION_OK;
  }
  if (lost) {
    broken_ = true;
    return false;
  }
  return true;
}

int DbConnection::backend_pid() const { return PQbackendPID(conn_); }

int DbConnection::socket() const { return conn_ == nullptr ? -1 : PQsocket(conn_); }

bool DbConnection::consume_input() {
  if (broken_ || conn_ == nullptr) return false;
  if (PQconsumeInput(conn_) == 0 || *ended_by_server_ || PQstatus(conn_) != CONNECTION_OK) {
    broken_ = true;
    return false;
  }
  return true;
}

std::optional<Notification> DbConnection::next_notification() {
  if (conn_ == nullptr) return std::nullopt;
  PGnotify* raw = PQnotifies(conn_);
  if (raw == nullptr) return std::nullopt;
  Notification notification{raw->relname, raw->extra};
  PQfreemem(raw);
  return notification;
}

Result<Transaction> Transaction::begin(DbConnection& db) {
  if (auto begun = db.run("BEGIN", {}, "begin transaction"); !begun) {
    return std::move(begun).error();
  }
  return Transaction(&db);
}

Transaction::Transaction(Transaction&& other) noexcept
    : db_(other.db_), open_(std::exchange(other.open_, false)) {}

Transaction::~Transaction() {
  if (!open_ || db_->is_broken()) return;
  // A failed ROLLBACK marks the connection broken; the pool then drops it.
  (void)db_->run("ROLLBACK", {}, "roll back transaction");
}

Status Transaction::commit() {
  open_ = false;
  return db_->run("COMMIT", {}, "commit transaction");
}

}  // namespace ferry::store::pg
