#include "webhook_delivery.h"

#include "ferry/core/crypto.h"
#include "ferry/http/client/body_source.h"
#include "ferry/http/client/exchange.h"
#include "ferry/http/client/fetch.h"
#include "issue_json.h"

namespace ferry::fake_atlassian {
namespace {

using nlohmann::json;

// How far in the past an "expired" JWT was issued: well beyond its lifetime.
constexpr std::chrono::seconds kExpiredIssuedAgo{600};

std::int64_t seconds_since_epoch(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

json delivery_user(const Site& site) {
  const Account& account = fake_account();
  return {{"self", site.url + "/rest/api/2/user?accountId=" + account.account_id},
          {"accountId", account.account_id},
          {"accountType", "atlassian"},
          {"displayName", account.display_name},
          {"active", true}};
}

}  // namespace

std::string delivery_jwt(std::string_view client_id, std::string_view secret, TimePoint now,
                         bool expired) {
  // Ordered, so the parts read as the documentation writes them.
  const nlohmann::ordered_json header = {{"alg", "HS256"}, {"typ", "JWT"}};
  const std::int64_t issued = seconds_since_epoch(expired ? now - kExpiredIssuedAgo : now);
  const nlohmann::ordered_json claims = {{"iss", std::string(client_id)},
                                         {"iat", issued},
                                         {"exp", issued + kDeliveryJwtLifetime.count()}};
  const std::string signing_input =
      base64url_encode(header.dump()) + "." + base64url_encode(claims.dump());
  return signing_input + "." + base64url_encode(hmac_sha256(secret, signing_input));  // RFC 7515
}

std::string issue_event_type_name(std::string_view event) {
  if (event == "jira:issue_created") return "issue_created";
  if (event == "jira:issue_updated") return "issue_updated";
  if (event == "jira:issue_deleted") return "issue_deleted";
  if (event == "comment_created") return "issue_commented";
  if (event == "comment_updated") return "issue_comment_edited";
  if (event == "comment_deleted") return "issue_comment_deleted";
  return {};
}

json delivery_body(std::string_view event, const std::vector<std::int64_t>& webhook_ids,
                   const Issue& issue, const Project& project, const Site& site, TimePoint now) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch());
  json body = {{"timestamp", ms.count()},
               {"webhookEvent", std::string(event)},
               {"matchedWebhookIds", webhook_ids},
               {"user", delivery_user(site)},
               {"issue", webhook_issue_json(issue, project, site.url)}};
  if (const std::string type = issue_event_type_name(event); !type.empty()) {
    body["issue_event_type_name"] = type;
  }
  return body;
}

boost::asio::awaitable<DeliveryOutcome> send_delivery(http::Exchange& exchange,
                                                      const Delivery& delivery) {
  DeliveryOutcome outcome;
  auto request = http::outbound_request_for(delivery.url);
  if (!request) {
    outcome.error = request.error().message;
    co_return outcome;
  }
  request->method = http::Verb::post;
  request->timeout = kDeliveryTimeout;
  request->headers = {{"Content-Type", "application/json"},
                      {"User-Agent", "Atlassian Webhook HTTP Client"}};
  if (!delivery.authorization.empty()) {
    request->headers.push_back({"Authorization", delivery.authorization});
  }
  http::BufferedBody body(delivery.body);
  auto sent = co_await exchange.send(*request, body);
  if (!sent) {
    outcome.error = sent.failure->error.message;
    co_return outcome;
  }
  // Dropping the response with its body unread closes the connection: a receiver dripping
  // an answer cannot hold the delivery past the timeout.
  outcome.status = sent.response->status();
  co_return outcome;
}

}  // namespace ferry::fake_atlassian
