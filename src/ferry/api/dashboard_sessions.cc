#include "ferry/api/dashboard_sessions.h"

#include <charconv>

#include "ferry/core/crypto.h"
#include "ferry/core/strings.h"

namespace ferry::api {
namespace {

constexpr std::string_view kVersion = "v1";
constexpr std::size_t kIdBytes = 18;  // 24 base64url characters
// A cookie longer than this is not one of ours; it is refused before any parsing.
constexpr std::size_t kMaxCookieBytes = 256;
// The failure table is per client address; beyond this many addresses the oldest windows go.
constexpr std::size_t kMaxTrackedClients = 10'000;

std::int64_t unix_seconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

Error invalid_session(std::string message) {
  return Error{Errc::unauthorized, std::move(message) + "; sign in to the dashboard again"};
}

}  // namespace

DashboardSessions::DashboardSessions(std::string secret_key, std::string admin_password,
                                     std::shared_ptr<const Clock> clock, Limits limits)
    // A key of its own, so a session MAC can never be replayed as anything else signed with
    // the secret key.
    : mac_key_(hmac_sha256(secret_key, "ferry dashboard session key v1")),
      secret_key_(std::move(secret_key)),
      admin_password_(std::move(admin_password)),
      clock_(std::move(clock)),
      limits_(limits) {}

std::string DashboardSessions::sign(std::string_view payload) const {
  return base64url_encode(hmac_sha256(mac_key_, payload));
}

std::string DashboardSessions::csrf_token_for(std::string_view id) const {
  return base64url_encode(hmac_sha256(mac_key_, "csrf." + std::string(id)));
}

void DashboardSessions::forget_expired(TimePoint now) {
  std::erase_if(revoked_, [now](const auto& entry) { return entry.second <= now; });
  std::erase_if(failures_, [&](const auto& entry) {
    return now - entry.second.window_start >= limits_.failure_window;
  });
}

Result<IssuedSession> DashboardSessions::sign_in(std::string_view credential,
                                                 const std::string& client_key) {
  const TimePoint now = clock_->now();
  {
    std::lock_guard lock(mu_);
    forget_expired(now);
    auto it = failures_.find(client_key);
    if (it != failures_.end() && it->second.count >= limits_.max_failures) {
      return Error{Errc::too_many_requests,
                   "too many failed sign-ins from this address; try again later"};
    }
  }
  // Both comparisons always run, so the time taken does not tell which credential exists.
  const bool secret_key_matches = constant_time_equals(credential, secret_key_);
  const bool password_matches =
      !admin_password_.empty() && constant_time_equals(credential, admin_password_);
  if (!secret_key_matches && !password_matches) {
    std::lock_guard lock(mu_);
    if (failures_.size() >= kMaxTrackedClients && !failures_.contains(client_key)) {
      failures_.erase(failures_.begin());
    }
    auto& failures = failures_[client_key];
    if (failures.count == 0) failures.window_start = now;
    ++failures.count;
    return Error{Errc::unauthorized, admin_password_.empty()
                                         ? "that is not the secret key"
                                         : "that is neither the secret key nor the admin password"};
  }
  DashboardSession session;
  session.id = base64url_encode(random_bytes(kIdBytes));
  session.expires_at = std::chrono::time_point_cast<std::chrono::seconds>(now + limits_.lifetime);
  session.csrf_token = csrf_token_for(session.id);
  std::string payload = std::string(kVersion) + "." + session.id + "." +
                        std::to_string(unix_seconds(session.expires_at));
  std::string cookie = payload + "." + sign(payload);
  return IssuedSession{std::move(cookie), std::move(session)};
}

Result<DashboardSession> DashboardSessions::verify(std::string_view cookie) const {
  if (cookie.empty() || cookie.size() > kMaxCookieBytes) {
    return invalid_session("the dashboard session cookie is not valid");
  }
  const std::size_t mac_dot = cookie.rfind('.');
  if (mac_dot == std::string_view::npos) {
    return invalid_session("the dashboard session cookie is not valid");
  }
  const std::string_view payload = cookie.substr(0, mac_dot);
  if (!constant_time_equals(cookie.substr(mac_dot + 1), sign(payload))) {
    return invalid_session("the dashboard session cookie is not valid");
  }
  // Signed by us, so the payload has our shape; it is still parsed defensively.
  const auto parts = split(payload, '.');
  std::int64_t expires = 0;
  if (parts.size() != 3 || parts[0] != kVersion ||
      std::from_chars(parts[2].data(), parts[2].data() + parts[2].size(), expires).ec !=
          std::errc()) {
    return invalid_session("the dashboard session cookie is not valid");
  }
  DashboardSession session;
  session.id = std::string(parts[1]);
  session.expires_at = TimePoint(std::chrono::seconds(expires));
  if (session.expires_at <= clock_->now()) {
    return invalid_session("the dashboard session has expired");
  }
  {
    std::lock_guard lock(mu_);
    if (revoked_.contains(session.id)) {
      return invalid_session("the dashboard session was signed out");
    }
  }
  session.csrf_token = csrf_token_for(session.id);
  return session;
}

void DashboardSessions::revoke(const DashboardSession& session) {
  std::lock_guard lock(mu_);
  forget_expired(clock_->now());
  revoked_[session.id] = session.expires_at;
}

std::optional<std::string_view> cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const std::size_t semicolon = header.find(';');
    std::string_view pair = trim(header.substr(0, semicolon));
    header = semicolon == std::string_view::npos ? std::string_view() : header.substr(semicolon + 1);
    const std::size_t eq = pair.find('=');
    if (eq == std::string_view::npos || trim(pair.substr(0, eq)) != name) continue;
    std::string_view value = trim(pair.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    return value;
  }
  return std::nullopt;
}

}  // namespace ferry::api
