#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ferry/core/clock.h"
#include "ferry/core/result.h"
#include "ferry/http/message.h"

namespace ferry::fake_atlassian {

// What a fault does to a request it matches.
enum class FaultAction {
  status,      // answer with a fixed status, headers and body
  delay,       // wait, then answer normally
  drop,        // close the connection (TCP reset) without answering
  rate_limit,  // 429 with Atlassian's rate-limit headers
};

// One queued fault rule (POST /__admin/faults). Plain value; the State's mutex guards the
// queue. Every action may also wait `delay` first.
struct FaultRule {
  std::string path_prefix = "/";
  std::string method;  // upper-case; empty = any
  int remaining = 1;   // requests still to affect; -1 = until cleared
  FaultAction action = FaultAction::status;
  std::chrono::milliseconds delay{0};
  // status
  unsigned status = 500;
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<nlohmann::json> body;  // a string is sent as is, anything else as JSON
  // rate_limit
  std::chrono::seconds retry_after{1};
  bool quota = false;                    // Retry-After and reset = the next UTC hour
  std::string reason;                    // RateLimit-Reason; default by mode
  std::string reset_format = "iso8601";  // iso8601 | iso8601-minutes | none
  long limit = 0;                        // X-RateLimit-Limit; 0 = default by mode
  bool without_retry_after = false;      // the gateway's own 429 (no Retry-After)
  bool html = false;                     // an HTML error page instead of JSON
};

// A rule from its admin JSON: {"path_prefix", "method", "count", "action", "delay_ms",
// "status", "headers", "body", "retry_after", "quota", "reason", "reset_format", "limit",
// "without_retry_after", "html"}. Errc::invalid_argument names an unknown key or bad value.
Result<FaultRule> parse_fault_rule(const nlohmann::json& json);

// The rule as admin JSON (what GET /__admin/faults lists).
nlohmann::json fault_rule_json(const FaultRule& rule);

// True when `rule` applies to a request for `method` on `path` (no query).
bool fault_matches(const FaultRule& rule, std::string_view method, std::string_view path);

// Finds the first rule matching the request, uses up one of its requests (dropping it when
// spent) and returns a copy; nullopt when none matches.
std::optional<FaultRule> take_fault(std::vector<FaultRule>& queue, std::string_view method,
                                    std::string_view path);

// The answer of a status or rate_limit rule at fake time `now`.
http::Response fault_response(const FaultRule& rule, TimePoint now, unsigned version);

// Seconds from `now` to the next full UTC hour (1..3600), when Atlassian's hourly quota resets.
std::chrono::seconds seconds_to_next_hour(TimePoint now);

}  // namespace ferry::fake_atlassian
