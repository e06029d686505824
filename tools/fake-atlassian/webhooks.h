#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ferry/core/clock.h"
#include "ferry/core/result.h"
#include "site_data.h"

namespace ferry::fake_atlassian {

// Jira's dynamic webhooks for OAuth 2.0 apps (REST reference, "Webhooks" group): an app
// registers JQL-filtered webhooks on a site; each lives 30 days from its registration or last
// refresh, and Jira POSTs matching events to the app's one URL.

// A webhook registered through the REST API dies this long after registration or refresh.
inline constexpr std::chrono::hours kWebhookLifetime{30 * 24};
// Live webhooks one app may hold on one site; later entries are refused.
inline constexpr std::size_t kMaxWebhooksPerAppAndSite = 100;
// The first id the fake hands out; later ones count up.
inline constexpr std::int64_t kFirstWebhookId = 10000;

// The events a dynamic webhook may name, in the order the reference lists them.
const std::vector<std::string>& webhook_events();
bool is_webhook_event(std::string_view event);

// What one entry of a registration's "webhooks" array asks for.
struct WebhookSpec {
  std::string jql_filter;
  std::vector<std::string> events;
  std::optional<std::vector<std::string>> field_ids_filter;
  std::optional<std::vector<std::string>> issue_property_keys_filter;
};

// The spec in one "webhooks" entry, or the message of its "errors" result: an entry that is
// not an object, a missing or empty jqlFilter, missing, empty or unknown events, or filters
// that are not arrays of strings. Pure.
std::variant<WebhookSpec, std::string> parse_webhook_spec(const nlohmann::json& entry);

// A registered webhook.
struct Webhook {
  std::int64_t id = 0;
  std::string client_id;  // the app that registered it
  std::string cloud_id;   // its site
  std::string url;        // where deliveries go
  WebhookSpec spec;
  TimePoint expires;

  bool is_live(TimePoint now) const { return now < expires; }
};

// A webhook as GET .../webhook lists it: {"id","jqlFilter","events","expirationDate",
// "fieldIdsFilter"?,"issuePropertyKeysFilter"?,"url"}. Pure.
nlohmann::json webhook_json(const Webhook& webhook);

// Where one delivery goes: a URL and the app whose live webhooks there match the event.
struct DeliveryTarget {
  std::string url;
  std::string client_id;
  std::vector<std::int64_t> webhook_ids;  // the matching ones, by id
};

// Every webhook of the fake, by id, with Jira's rules for who may see and change which: an
// app only ever reaches its own webhooks on one site. Expired webhooks stay (for the admin
// listing) until the store grows past kMaxStored, when registering forgets them. Not
// thread-safe: the State's mutex guards it.
class WebhookStore {
 public:
  static constexpr std::size_t kMaxStored = 10000;

  // True when the app already has live webhooks on the site at a URL other than `url`:
  // "Only a single URL per app is allowed to be registered".
  bool url_conflicts(std::string_view client_id, std::string_view cloud_id, std::string_view url,
                     TimePoint now) const;

  // Registers one webhook expiring kWebhookLifetime after `now`; its id. Errc::too_many_requests
  // when the app already has kMaxWebhooksPerAppAndSite live webhooks on the site.
  Result<std::int64_t> add(std::string client_id, std::string cloud_id, std::string url,
                           WebhookSpec spec, TimePoint now);

  // The app's live webhooks on the site, by id.
  std::vector<const Webhook*> live(std::string_view client_id, std::string_view cloud_id,
                                   TimePoint now) const;

  // Moves the expiry of each of `ids` that is the app's, on the site and still live to
  // now + kWebhookLifetime (others are ignored); that new expiry.
  TimePoint refresh(std::string_view client_id, std::string_view cloud_id,
                    const std::vector<std::int64_t>& ids, TimePoint now);

  // Deletes each of `ids` that is the app's on the site (others are ignored); how many.
  std::size_t remove(std::string_view client_id, std::string_view cloud_id,
                     const std::vector<std::int64_t>& ids);

  // Where `event` on `issue` of the site is delivered: one target per URL and app among the
  // site's live webhooks that name the event and whose JQL filter matches the issue (a filter
  // the fake cannot evaluate counts as matching), in the order of their first webhook id.
  std::vector<DeliveryTarget> targets(std::string_view cloud_id, std::string_view event,
                                      const Issue& issue, TimePoint now) const;

  // Every webhook, live or not, by id.
  const std::map<std::int64_t, Webhook>& all() const { return webhooks_; }

 private:
  void forget_expired(TimePoint now);

  std::int64_t next_id_ = kFirstWebhookId;
  std::map<std::int64_t, Webhook> webhooks_;
};

// True when the JQL filter `jql` selects `issue`: the fake's JQL subset (jql.h), and true
// for a filter it cannot parse. Pure.
bool webhook_filter_matches(std::string_view jql, const Issue& issue);

}  // namespace ferry::fake_atlassian
