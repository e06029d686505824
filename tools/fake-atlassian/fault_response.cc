// The responses of the status and rate_limit fault actions (see faults.h).
#include <string>

#include "faults.h"
#include "ferry/core/strings.h"

namespace ferry::fake_atlassian {
namespace {

using std::chrono::ceil;
using std::chrono::minutes;
using std::chrono::seconds;

// Atlassian writes X-RateLimit-Reset without fractions: "2025-10-08T15:00:00Z", or with
// minute precision "2026-03-26T16:00Z" [RL-J]. Rounded up so the reset is never early.
std::string reset_header(TimePoint reset, const std::string& format) {
  if (format == "iso8601-minutes") {
    return format_iso8601(ceil<minutes>(reset)).substr(0, 16) + "Z";
  }
  return format_iso8601(ceil<seconds>(reset)).substr(0, 19) + "Z";
}

constexpr const char* kRateLimitedMessage =
    "The request has been rate-limited. Please try again later.";

void set_rate_limit_headers(http::Response& response, const FaultRule& rule, TimePoint now) {
  namespace bhttp = http::bhttp;
  if (rule.without_retry_after) {
    // The gateway's own 429 (status incident 2026-04-22): no Retry-After, no reason.
    response.set("X-Failure-Category", "FAILURE CLIENT RATE LIMITED");
    response.set("X-RateLimit-Limit", std::to_string(rule.limit ? rule.limit : 360000));
    response.set("X-RateLimit-Remaining", "0");
    return;
  }
  const seconds wait = rule.quota ? seconds_to_next_hour(now) : rule.retry_after;
  response.set(bhttp::field::retry_after, std::to_string(wait.count()));
  response.set("X-RateLimit-Limit",
               std::to_string(rule.limit ? rule.limit : (rule.quota ? 65000 : 350)));
  response.set("X-RateLimit-Remaining", "0");
  if (rule.reset_format != "none") {
    response.set("X-RateLimit-Reset", reset_header(now + wait, rule.reset_format));
  }
  std::string reason = rule.reason;
  if (reason.empty()) reason = rule.quota ? "jira-quota-global-based" : "jira-burst-based";
  response.set("RateLimit-Reason", reason);
}

void set_body(http::Response& response, const nlohmann::json& body, bool has_content_type) {
  if (body.is_string()) {
    response.body() = body.get<std::string>();
    if (!has_content_type) response.set(http::bhttp::field::content_type, "text/plain");
  } else {
    response.body() = body.dump();
    if (!has_content_type) response.set(http::bhttp::field::content_type, "application/json");
  }
}

}  // namespace

http::Response fault_response(const FaultRule& rule, TimePoint now, unsigned version) {
  http::Response response{static_cast<http::StatusCode>(rule.status), version};
  if (rule.action == FaultAction::rate_limit) {
    set_rate_limit_headers(response, rule, now);
    if (rule.html) {
      response.set(http::bhttp::field::content_type, "text/html; charset=UTF-8");
      response.body() =
          "<html><head><title>429 Too Many Requests</title></head><body><h1>Too Many "
          "Requests</h1><p>" +
          std::string(kRateLimitedMessage) + "</p></body></html>";
    } else {
      response.set(http::bhttp::field::content_type, "application/json");
      response.body() = nlohmann::json{
          {"errorMessages", nlohmann::json::array({kRateLimitedMessage})},
          {"errors", nlohmann::json::object()},
          {"status", 429}}.dump();
    }
  }
  bool has_content_type = false;
  for (const auto& [name, value] : rule.headers) {
    response.set(name, value);
    if (iequals(name, "Content-Type")) has_content_type = true;
  }
  if (rule.body) set_body(response, *rule.body, has_content_type);
  response.prepare_payload();
  return response;
}

}  // namespace ferry::fake_atlassian
