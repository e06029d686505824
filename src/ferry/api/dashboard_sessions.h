#pragma once

// Sign-in to the web dashboard: who may sign in, the session cookie that proves it, and the
// CSRF token that goes with it.
//
// A session is a signed value, not a row: "v1.<id>.<expires unix seconds>.<mac>", the MAC an
// HMAC-SHA256 under a key derived from the secret key. Every instance sharing the secret key
// accepts it, and changing the secret key ends every session. Sign-out revokes the id in this
// process (until its expiry) and clears the cookie in the browser.
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "ferry/core/clock.h"
#include "ferry/core/result.h"

namespace ferry::api {

// The cookie that carries the session (HttpOnly, SameSite=Strict, Path=/).
inline constexpr std::string_view kDashboardCookie = "ferry_dashboard";
// The header a state-changing request sends the session's CSRF token in.
inline constexpr std::string_view kCsrfHeader = "X-Ferry-CSRF";

struct DashboardSession {
  std::string id;  // random, base64url
  TimePoint expires_at{};
  std::string csrf_token;
};

// A new session's cookie value and what the browser may read of it.
struct IssuedSession {
  std::string cookie_value;
  DashboardSession session;
};

class DashboardSessions {
 public:
  struct Limits {
    std::chrono::seconds lifetime = std::chrono::hours(12);
    // Failed sign-ins one client address may make per window before it gets 429.
    std::size_t max_failures = 10;
    std::chrono::seconds failure_window = std::chrono::minutes(15);
  };

  // `secret_key` must not be empty; `admin_password` may be (then only the secret key signs in).
  DashboardSessions(std::string secret_key, std::string admin_password,
                    std::shared_ptr<const Clock> clock, Limits limits);
  DashboardSessions(std::string secret_key, std::string admin_password,
                    std::shared_ptr<const Clock> clock)
      : DashboardSessions(std::move(secret_key), std::move(admin_password), std::move(clock),
                          Limits{}) {}

  // Signs in with the secret key or the admin password (compared in constant time), for the
  // client `client_key` (api/client_address.h). unauthorized for a wrong credential;
  // too_many_requests once the client has failed max_failures times within the window,
  // whatever it presents then.
  Result<IssuedSession> sign_in(std::string_view credential, const std::string& client_key);

  // The session a cookie value proves: signed by this secret key, unexpired, not signed out.
  // unauthorized otherwise, saying which.
  Result<DashboardSession> verify(std::string_view cookie_value) const;

  // Signs the session out: its cookie is refused from now on (until it would have expired).
  void revoke(const DashboardSession& session);

 private:
  std::string sign(std::string_view payload) const;
  std::string csrf_token_for(std::string_view id) const;
  void forget_expired(TimePoint now);

  std::string mac_key_;
  std::string secret_key_;
  std::string admin_password_;
  std::shared_ptr<const Clock> clock_;
  Limits limits_;

  mutable std::mutex mu_;
  std::map<std::string, TimePoint> revoked_;  // id -> when its cookie expires anyway
  struct Failures {
    std::size_t count = 0;
    TimePoint window_start{};
  };
  std::map<std::string, Failures> failures_;  // client key -> recent failed sign-ins
};

// The value of cookie `name` in a Cookie header ("a=1; ferry_dashboard=v1..."), or nullopt.
std::optional<std::string_view> cookie_value(std::string_view cookie_header,
                                             std::string_view name);

}  // namespace ferry::api
