#pragma once

// How the dashboard shows a connection: never a usable secret, always its health.
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "ferry/core/clock.h"
#include "ferry/store/types.h"

namespace ferry::api {

// One word for the state of a connection, in the order checked:
//   "refresh_failed"  the provider refused a refresh (its `errors` say why): re-consent needed;
//   "expiring"        OAuth 2 tokens that end within a day (or ended) with no refresh token;
//   "never_used"      no call has fetched its credentials yet;
//   "ok"              otherwise.
std::string_view connection_health(const store::Connection& connection, TimePoint now);

// `credentials` as the API shows them (auth::public_credentials), every secret value masked
// ("eyJh••••"): type and expiry stay readable.
nlohmann::json masked_credentials(const store::Credentials& credentials);

// A row of the dashboard's connection list: ids, times (`last_refresh_at`, the last
// successful token renewal, null when unknown), health, errors, end user; no credentials, no
// metadata.
nlohmann::json dashboard_connection_row(const store::Connection& connection, TimePoint now,
                                        std::optional<TimePoint> last_refresh_at);

// The connection's page: the row plus masked credentials, connection_config, metadata and
// tags.
nlohmann::json dashboard_connection_page(const store::Connection& connection, TimePoint now,
                                         std::optional<TimePoint> last_refresh_at);

}  // namespace ferry::api
