#pragma once

#include <chrono>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <span>
#include <string_view>

#include "ferry/core/result.h"
#include "ferry/store/postgres/query.h"
#include "ferry/store/postgres/target.h"

// Forward declarations keep libpq-fe.h out of every header.
struct pg_conn;
struct pg_result;

namespace ferry::store::pg {

// How a connection is opened and how long its statements may run.
struct ConnectOptions {
  // libpq connect_timeout: the longest a connection attempt (TCP, TLS, authentication)
  // may take, per host. A URL parameter overrides it.
  std::chrono::seconds connect_timeout{5};
  // The server cancels any statement running longer (0 = never). Set per session, so it
  // also bounds waits for row and advisory locks.
  std::chrono::milliseconds statement_timeout{15'000};
  // Set as the session's `ferry.instance` setting: the process the session works for. The
  // database's change announcements carry it, so a process can tell its own writes from
  // other processes' (postgres_peers.h). Empty: not set.
  std::string instance_id{};
};

// A notification received on a LISTENing connection.
struct Notification {
  std::string channel;
  std::string payload;
};

// One libpq connection (PGconn, owned), in blocking mode. Not thread-safe: one thread
// uses it at a time (the pool lends it out whole). Moved, never copied.
//
// Errors of exec(), by SQLSTATE: a lost connection (class 08, 57P01-57P03, or libpq
// reporting the socket gone) is Errc::unavailable and marks the connection broken, so
// its pool drops it; a statement timeout, a deadlock, a serialization failure or the
// server out of resources is Errc::unavailable too; a unique violation Errc::conflict;
// text the database cannot store (NUL bytes, invalid UTF-8) Errc::invalid_argument; the
// rest Errc::internal. Messages start with `what` and never hold the password.
class DbConnection {
 public:
  // Connects to `target`: UTF-8 client encoding, TCP keepalives, application_name
  // "ferry", then options.statement_timeout. Errc::unavailable "cannot connect to
  // database <label>: <libpq's reason>" when the server cannot be reached or refuses.
  static Result<DbConnection> connect(std::shared_ptr<const Target> target,
                                      const ConnectOptions& options);

  DbConnection(DbConnection&& other) noexcept;
  DbConnection& operator=(DbConnection&& other) noexcept;
  DbConnection(const DbConnection&) = delete;
  DbConnection& operator=(const DbConnection&) = delete;
  ~DbConnection();

  // Runs one statement with `params` as $1, $2, ...; results come in binary format.
  Result<Rows> exec(std::string_view sql, std::span<const Param> params, std::string_view what);
  Result<Rows> exec(std::string_view sql, std::initializer_list<Param> params,
                    std::string_view what) {
    return exec(sql, std::span<const Param>(params.begin(), params.size()), what);
  }
  // exec() for statements whose rows do not matter.
  Status run(std::string_view sql, std::initializer_list<Param> params, std::string_view what);
  // Runs one or more statements without parameters (schema migrations).
  Status run_script(std::string_view sql, std::string_view what);

  // False once the connection is known to be lost, or in a transaction nobody finished.
  // Also reads, without blocking, whatever the server sent while the connection sat
  // idle: a backend ended by pg_terminate_backend() or a server restart has said goodbye
  // and closed its socket, which this notices before a statement is sent into it.
  bool is_usable();
  // True after an error that lost the connection.
  bool is_broken() const { return broken_; }

  // For a connection that LISTENs (notification_listener.h). The socket to wait on for
  // input; -1 when there is none.
  int socket() const;
  // Reads whatever the server sent, without blocking. False (and the connection marked
  // broken) when the connection is lost.
  bool consume_input();
  // The next notification consume_input() read, or nullopt.
  std::optional<Notification> next_notification();

  // The server process serving this connection (pg_backend_pid()).
  int backend_pid() const;
  const Target& target() const { return *target_; }

 private:
  DbConnection(pg_conn* conn, std::shared_ptr<const Target> target);
  // Takes `result` (may be null) and turns a failure into the Error the class describes.
  Result<Rows> finish(pg_result* result, std::string_view what);

  pg_conn* conn_ = nullptr;
  std::shared_ptr<const Target> target_;
  bool broken_ = false;
  // Set by libpq's notice receiver when the server sent a FATAL error outside a statement:
  // its goodbye before closing the session. On the heap, so its address, which libpq
  // keeps, survives moves.
  std::unique_ptr<bool> ended_by_server_;
};

// BEGIN ... COMMIT on one connection. Rolls back on destruction unless commit() succeeded;
// a broken connection's transaction ended with it, so nothing is sent then.
class Transaction {
 public:
  static Result<Transaction> begin(DbConnection& db);

  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  // Errc::unavailable when the connection is lost before COMMIT's answer arrives: the
  // transaction may then have committed or not, as with any database.
  Status commit();

 private:
  explicit Transaction(DbConnection* db) : db_(db) {}
  DbConnection* db_;
  bool open_ = true;
};

}  // namespace ferry::store::pg
