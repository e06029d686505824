#include "faults.h"

#include <set>

namespace ferry::fake_atlassian {
namespace {

using nlohmann::json;

const std::set<std::string>& known_keys() {
  static const std::set<std::string> keys = {"path_prefix", "method",
                                             "count",       "action",
                                             "delay_ms",    "status",
                                             "headers",     "body",
                                             "retry_after", "quota",
                                             "reason",      "reset_format",
                                             "limit",       "without_retry_after",
                                             "html"};
  return keys;
}

Error bad(const std::string& what) { return Error{Errc::invalid_argument, "fault rule: " + what}; }

std::optional<FaultAction> action_named(const std::string& name) {
  if (name == "status") return FaultAction::status;
  if (name == "delay") return FaultAction::delay;
  if (name == "drop") return FaultAction::drop;
  if (name == "rate_limit") return FaultAction::rate_limit;
  return std::nullopt;
}

const char* action_name(FaultAction action) {
  switch (action) {
    case FaultAction::status:
      return "status";
    case FaultAction::delay:
      return "delay";
    case FaultAction::drop:
      return "drop";
    case FaultAction::rate_limit:
      return "rate_limit";
  }
  return "status";
}

// Reads the fields shared by every action.
Status read_common(const json& in, FaultRule& rule) {
  if (in.contains("path_prefix")) {
    if (!in["path_prefix"].is_string()) return bad("path_prefix must be a string");
    rule.path_prefix = in["path_prefix"].get<std::string>();
    if (rule.path_prefix.empty() || rule.path_prefix[0] != '/') {
      return bad("path_prefix must start with '/'");
    }
  }
  if (in.contains("method")) {
    if (!in["method"].is_string()) return bad("method must be a string");
    rule.method = in["method"].get<std::string>();
    for (auto& c : rule.method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  if (in.contains("count")) {
    if (!in["count"].is_number_integer()) return bad("count must be an integer");
    rule.remaining = in["count"].get<int>();
    if (rule.remaining == 0 || rule.remaining < -1) return bad("count must be >= 1, or -1");
  }
  if (in.contains("delay_ms")) {
    if (!in["delay_ms"].is_number_integer() || in["delay_ms"].get<long long>() < 0) {
      return bad("delay_ms must be a non-negative integer");
    }
    rule.delay = std::chrono::milliseconds(in["delay_ms"].get<long long>());
  }
  return ok();
}

Status read_status(const json& in, FaultRule& rule) {
  if (!in.contains("status")) {
    if (rule.action == FaultAction::status) return bad("action \"status\" needs a status");
    return ok();
  }
  if (!in["status"].is_number_integer()) return bad("status must be an integer");
  const int status = in["status"].get<int>();
  if (status < 100 || status > 599) return bad("status must be from 100 to 599");
  rule.status = static_cast<unsigned>(status);
  return ok();
}

Status read_headers_and_body(const json& in, FaultRule& rule) {
  if (in.contains("headers")) {
    if (!in["headers"].is_object()) return bad("headers must be an object of strings");
    for (auto it = in["headers"].begin(); it != in["headers"].end(); ++it) {
      if (!it.value().is_string()) return bad("header " + it.key() + " must be a string");
      rule.headers.emplace_back(it.key(), it.value().get<std::string>());
    }
  }
  if (in.contains("body")) rule.body = in["body"];
  return ok();
}

Status read_rate_limit(const json& in, FaultRule& rule) {
  if (in.contains("retry_after")) {
    if (!in["retry_after"].is_number_integer() || in["retry_after"].get<long long>() < 0) {
      return bad("retry_after must be a non-negative integer (seconds)");
    }
    rule.retry_after = std::chrono::seconds(in["retry_after"].get<long long>());
  }
  for (const char* flag : {"quota", "without_retry_after", "html"}) {
    if (in.contains(flag) && !in[flag].is_boolean())
      return bad(std::string(flag) + " must be a boolean");
  }
  rule.quota = in.value("quota", false);
  rule.without_retry_after = in.value("without_retry_after", false);
  rule.html = in.value("html", false);
  if (in.contains("reason")) {
    if (!in["reason"].is_string()) return bad("reason must be a string");
    rule.reason = in["reason"].get<std::string>();
  }
  if (in.contains("reset_format")) {
    if (!in["reset_format"].is_string()) return bad("reset_format must be a string");
    rule.reset_format = in["reset_format"].get<std::string>();
    if (rule.reset_format != "iso8601" && rule.reset_format != "iso8601-minutes" &&
        rule.reset_format != "none") {
      return bad("reset_format must be iso8601, iso8601-minutes or none");
    }
  }
  if (in.contains("limit")) {
    if (!in["limit"].is_number_integer() || in["limit"].get<long>() <= 0) {
      return bad("limit must be a positive integer");
    }
    rule.limit = in["limit"].get<long>();
  }
  return ok();
}

}  // namespace

Result<FaultRule> parse_fault_rule(const json& in) {
  if (!in.is_object()) return bad("expected a JSON object");
  for (auto it = in.begin(); it != in.end(); ++it) {
    if (!known_keys().count(it.key())) return bad("unknown key \"" + it.key() + "\"");
  }
  FaultRule rule;
  if (!in.contains("action") || !in["action"].is_string()) {
    return bad("action is required: status, delay, drop or rate_limit");
  }
  auto action = action_named(in["action"].get<std::string>());
  if (!action) return bad("action must be status, delay, drop or rate_limit");
  rule.action = *action;
  if (rule.action == FaultAction::rate_limit) rule.status = 429;
  for (auto step : {read_common, read_status, read_headers_and_body, read_rate_limit}) {
    if (auto done = step(in, rule); !done) return done.error();
  }
  return rule;
}

json fault_rule_json(const FaultRule& rule) {
  json out = {{"path_prefix", rule.path_prefix},
              {"count", rule.remaining},
              {"action", action_name(rule.action)},
              {"delay_ms", rule.delay.count()}};
  if (!rule.method.empty()) out["method"] = rule.method;
  if (rule.action == FaultAction::status || rule.action == FaultAction::rate_limit) {
    out["status"] = rule.status;
  }
  if (rule.action == FaultAction::rate_limit) {
    out["retry_after"] = rule.retry_after.count();
    out["quota"] = rule.quota;
    out["without_retry_after"] = rule.without_retry_after;
    out["html"] = rule.html;
    out["reset_format"] = rule.reset_format;
  }
  return out;
}

bool fault_matches(const FaultRule& rule, std::string_view method, std::string_view path) {
  if (!rule.method.empty() && rule.method != method) return false;
  return path.substr(0, rule.path_prefix.size()) == rule.path_prefix;
}

std::optional<FaultRule> take_fault(std::vector<FaultRule>& queue, std::string_view method,
                                    std::string_view path) {
  for (auto it = queue.begin(); it != queue.end(); ++it) {
    if (!fault_matches(*it, method, path)) continue;
    FaultRule taken = *it;
    if (it->remaining > 0 && --it->remaining == 0) queue.erase(it);
    return taken;
  }
  return std::nullopt;
}

std::chrono::seconds seconds_to_next_hour(TimePoint now) {
  const auto since_hour = now - std::chrono::floor<std::chrono::hours>(now);
  return std::chrono::ceil<std::chrono::seconds>(std::chrono::hours(1) - since_hour);
}

}  // namespace ferry::fake_atlassian
