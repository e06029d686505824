#pragma once

#include <cstddef>
#include <memory>

#include "ferry/auth/credential_source.h"
#include "ferry/config/model.h"
#include "ferry/core/clock.h"

namespace ferry {
class BlockingPool;
}
namespace ferry::http {
class Exchange;
}
namespace ferry::store {
class Store;
class ConnectionCache;
class ActivityWriter;
}  // namespace ferry::store

namespace ferry::events {
class ConnectionEvents;
}

namespace ferry::auth::oauth2 {

// Automatic OAuth 2 token refresh: the CredentialSource the proxy, GET /connections/{id}
// and actions use (DESIGN.md §4 "Refresh").
//
// The rule. Before any use, an OAUTH2 credential whose access token expires within the
// integration's refresh margin (auth.refresh_margin, default 15 min) — or any, when the
// caller forces it after an upstream 401 — is renewed: with its refresh token
// (authorization_code integrations) or with a new client_credentials grant. Atlassian
// rotates refresh tokens: a refresh returns a new one and the old one dies (after a short
// reuse leeway, past which replaying it revokes the whole grant). So a refresh must happen
// ONCE however many requests need it, and its result must be saved before anyone uses it.
//
// Why two mechanisms. Two kinds of concurrency meet here:
//   1. Coroutines of this process. 200 proxied calls arrive on an expired token within a
//      millisecond. The first becomes the leader of a "flight" for that connection (a
//      RefreshFlight in the flight table, keyed by ConnectionKey); the other 199 find the
//      flight and park on it. Parking is a completion handler in a list, not a blocked
//      thread: the io_context threads go on serving other requests. The leader's work is
//      co_spawned on its own, so the flight finishes even if the request that started it
//      goes away.
//   2. Other processes sharing the database (PostgreSQL deployments). They cannot see our
//      flight table, so each flight leader first takes the connection's refresh claim
//      (Store::try_claim_refresh: a PostgreSQL advisory lock held by one database session)
//      and keeps it until its result is committed, token request included. Taking it never
//      blocks a thread: a claim held elsewhere is asked for again after a short timer
//      (5 ms, doubling up to 100 ms), so the I/O and blocking threads keep serving. Once
//      the claim is ours the row is read again past the cache: if the other process renewed
//      meanwhile, its tokens are used and no token request is made. Across every instance,
//      one token request per connection at a time.
//
// One refresh, step by step (flight leader; connection "user-1", refresh token RT1):
//
//   t0  take user-1's refresh claim         (another instance's holder: wait for it)
//   t1  read the row past the cache         RT1, expires in 40 s: still due -> go on
//   t2  POST token_url grant=refresh_token  (199 waiters parked, the claim held)
//   t3  provider answers AT2/RT2            RT1 is now spent
//   t4  re-read: tokens still AT1/RT1 -> update_connection(AT2, RT2, expected_version)
//   t5  release the claim; flight complete: every waiter resumes with AT2/RT2
//
// The write at t4 publishes the new row to every I/O thread's connection cache before any
// waiter resumes. If the tokens changed between t1 and t4 (a caller stored new credentials
// through the API), the re-read sees them and ours are dropped. A crash between t3 and t4
// loses RT2, and the crashed process's database session takes its claim with it; RT1 still
// works within the provider's reuse leeway, so the next holder recovers. Nothing ever uses
// AT2 before t4 has committed it.
//
// Outcomes:
//   - not due, not forced, or not OAUTH2: the stored row, untouched (no flight at all);
//   - due but no refresh token (authorization_code): the stored row as it is — expired
//     tokens included; the upstream answers 401 and the app must reconnect;
//   - renewed: the committed row; auth errors on the connection are cleared;
//   - the provider refused (4xx, e.g. invalid_grant): the connection's `errors` gets
//     {"type": "auth", "log_id", "message"} (replacing older auth entries) and the call
//     fails with Errc::upstream_auth_failed (424) carrying the provider's message — unless
//     the re-read shows another holder renewed meanwhile, whose tokens are then used;
//   - the token endpoint is down (5xx, unreachable, not JSON): Errc::upstream_unreachable
//     (502), or Errc::upstream_timeout (504); stored tokens untouched, no error mark.
// Every attempt is one activity-log entry of type "refresh" (never a token value).
//
// A forced caller that joins a flight which then found nothing to renew (it was started
// unforced and the re-read showed fresh tokens) starts a forced flight of its own, so
// force_refresh always yields tokens newer than the ones the caller saw fail.
//
// What the refresher works with; shared, thread-safe objects built once by the app.
struct RefresherDependencies {
  std::shared_ptr<const config::Project> project;
  std::shared_ptr<store::Store> store;             // writes keep `cache` coherent
  std::shared_ptr<store::ConnectionCache> cache;   // the hot path's reads
  std::shared_ptr<http::Exchange> exchange;        // reaches the token endpoints
  std::shared_ptr<BlockingPool> blocking;          // runs the store's work
  std::shared_ptr<const Clock> clock;              // null: the system clock
  std::shared_ptr<store::ActivityWriter> activity;  // null: no activity log
  // Says when a connection's refresh fails and when it recovers; null: no events.
  std::shared_ptr<const events::ConnectionEvents> events;
};

// The mechanism above. Owned by the app (shared with the proxy and the REST handlers);
// running flights hold its shared state, so it may be destroyed while one finishes.
// Thread-safety: every member may be called from any coroutine on any thread. The flight
// table is guarded by a mutex held only to find, add or remove a flight.
class Refresher final : public CredentialSource {
 public:
  explicit Refresher(RefresherDependencies deps);
  ~Refresher() override;
  Refresher(const Refresher&) = delete;
  Refresher& operator=(const Refresher&) = delete;

  // The connection for `key`, renewed first when due or when `force_refresh`. Suspends
  // (only when a renewal is needed). Errc::not_found for an unknown connection;
  // Errc::upstream_auth_failed, Errc::upstream_unreachable, Errc::upstream_timeout as
  // above; store errors as the store reports them.
  boost::asio::awaitable<Result<std::shared_ptr<const store::Connection>>> usable_connection(
      const store::ConnectionKey& key, bool force_refresh) override;

  // Flights in progress (tests check that the table empties).
  std::size_t flights_in_progress() const;

  struct Shared;  // the dependencies and the flight table; defined in refresher.cc

 private:
  std::shared_ptr<Shared> shared_;  // also held by running flights
};

}  // namespace ferry::auth::oauth2
