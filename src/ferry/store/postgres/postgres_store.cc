#include "ferry/store/postgres/postgres_store.h"

#include <utility>

#include "ferry/core/crypto.h"
#include "ferry/observe/log.h"
#include "ferry/store/migrations/migration.h"
#include "ferry/store/postgres/advisory_keys.h"
#include "ferry/store/postgres/migrate.h"
#include "ferry/store/postgres/postgres_peers.h"
#include "ferry/store/sealed_credentials.h"

namespace ferry::store {
namespace {

using pg::DbConnection;

// Sessions of this store: statements bounded, tagged with the instance (for the change
// announcements' writer).
pg::ConnectOptions session_options(const PostgresOptions& options, const std::string& instance) {
  return {options.connect_timeout, options.statement_timeout, instance};
}

// The query pool, and the claim pool (whose connections run nothing but
// pg_try_advisory_lock and pg_advisory_unlock): options.pool_size connections each.
pg::PoolOptions pool_options(const PostgresOptions& options, const std::string& instance) {
  pg::PoolOptions out;
  out.size = options.pool_size;
  out.connect = session_options(options, instance);
  return out;
}

// A refresh claim: one session-level advisory lock held on a lent connection of its own,
// unlocked (and the connection given back) when destroyed. If the session ends first (a
// database restart, pg_terminate_backend, a crash of this process), PostgreSQL has released
// the lock already.
class PgRefreshClaim final : public RefreshClaim {
 public:
  PgRefreshClaim(pg::Pool::Lease db, pg::AdvisoryKey key, ConnectionKey connection)
      : db_(std::move(db)), key_(key), connection_(std::move(connection)) {}
  ~PgRefreshClaim() override {
    auto unlocked = db_->exec("SELECT pg_advisory_unlock($1::integer, $2::integer)",
                              {pg::integer(key_.first), pg::integer(key_.second)},
                              "release refresh claim");
    // False or failed: the session ended while the claim was held, which released it early.
    // The holder's writes were still safe (they check the row version); say so, since
    // another holder may have run alongside.
    if (!unlocked || unlocked->empty() || !unlocked->boolean(0, 0)) {
      observe::warn("the refresh claim of {} was lost while held: its database session ended",
                    describe(connection_));
    }
  }

 private:
  pg::Pool::Lease db_;
  const pg::AdvisoryKey key_;
  const ConnectionKey connection_;
};

}  // namespace

PostgresStore::PostgresStore(std::shared_ptr<const pg::Target> target,
                             const PostgresOptions& options, std::optional<Cipher> cipher,
                             std::shared_ptr<const Clock> clock)
    : target_(target),
      options_(options),
      instance_id_(uuid_v4()),
      cipher_(std::move(cipher)),
      clock_(std::move(clock)),
      queries_(target, pool_options(options, instance_id_), "query pool"),
      claims_(target, pool_options(options, instance_id_), "refresh claim pool") {}

Result<std::unique_ptr<PostgresStore>> PostgresStore::open(std::string_view url,
                                                           const PostgresOptions& options,
                                                           std::optional<Cipher> cipher,
                                                           std::shared_ptr<const Clock> clock) {
  if (options.pool_size == 0) {
    return Error{Errc::invalid_argument, "the database pool needs at least one connection"};
  }
  auto target = pg::parse_target(url);
  if (!target) return std::move(target).error();
  if (!clock) clock = system_clock();
  std::unique_ptr<PostgresStore> store(
      new PostgresStore(std::move(*target), options, std::move(cipher), std::move(clock)));
  if (auto migrated = store->migrate(options); !migrated) return std::move(migrated).error();
  if (auto checked = store->check_encryption_key(); !checked) return std::move(checked).error();
  return store;
}

Status PostgresStore::migrate(const PostgresOptions& options) {
  // A connection of its own, without a statement timeout: another instance may be in the
  // middle of a long migration, and this one waits for it rather than failing to start.
  pg::ConnectOptions unbounded = session_options(options, instance_id_);
  unbounded.statement_timeout = std::chrono::milliseconds(0);
  auto db = DbConnection::connect(target_, unbounded);
  if (!db) return std::move(db).error();
  return pg::migrate(*db, postgres_migrations());
}

Status PostgresStore::check_encryption_key() {
  auto db = queries_.acquire();
  if (!db) return std::move(db).error();
  if (!cipher_) {
    auto sealed =
        (*db)->exec("SELECT EXISTS (SELECT 1 FROM connections WHERE credentials_encrypted)", {},
                    "look for encrypted rows");
    if (!sealed) return std::move(sealed).error();
    if (!sealed->empty() && sealed->boolean(0, 0)) return encrypted_without_key(target_->label);
    return ok();
  }
  // The first instance to open the database with a key writes the check; every other
  // one, even one racing it, reads that same check back and compares.
  if (auto written = (*db)->run(
          "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
          {pg::text(kKeyCheckName), pg::bytea(seal_key_check(*cipher_))},
          "write encryption key check");
      !written) {
    return written;
  }
  auto stored = (*db)->exec("SELECT value FROM meta WHERE key = $1", {pg::text(kKeyCheckName)},
                            "read encryption key check");
  if (!stored) return std::move(stored).error();
  if (stored->empty()) {
    return Error{Errc::storage_corrupt,
                 "database " + target_->label + " lost its encryption key check while opening"};
  }
  return verify_key_check(*cipher_, stored->bytes(0, 0), target_->label);
}

Result<std::unique_ptr<RefreshClaim>> PostgresStore::try_claim_refresh(
    const ConnectionKey& key) {
  // Never waits for a claim connection: every one is held by a claim of this instance,
  // released on the blocking pool this caller may be occupying. Busy reads as "held
  // elsewhere", which the caller retries without blocking a thread.
  auto leased = claims_.try_acquire();
  if (!leased) return std::move(leased).error();
  if (!*leased) return std::unique_ptr<RefreshClaim>();
  pg::Pool::Lease& db = **leased;
  const pg::AdvisoryKey lock_key = pg::refresh_lock_key(key);
  auto taken = db->exec("SELECT pg_try_advisory_lock($1::integer, $2::integer)",
                           {pg::integer(lock_key.first), pg::integer(lock_key.second)},
                           "take the refresh claim of " + describe(key));
  if (!taken) return std::move(taken).error();
  // Another session (in this instance or another one) holds it: the lease goes back.
  if (taken->empty() || !taken->boolean(0, 0)) return std::unique_ptr<RefreshClaim>();
  return std::unique_ptr<RefreshClaim>(
      std::make_unique<PgRefreshClaim>(std::move(db), lock_key, key));
}

Result<std::unique_ptr<Peers>> PostgresStore::join_peers(PeerHandlers handlers) {
  pg::ListenerOptions listener;
  listener.connect = session_options(options_, instance_id_);
  return std::unique_ptr<Peers>(std::make_unique<pg::PostgresPeers>(
      target_, listener, instance_id_, queries_, std::move(handlers)));
}

}  // namespace ferry::store
