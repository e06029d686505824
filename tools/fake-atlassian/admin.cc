// The admin API under /__admin/: what tests use to steer the fake (clock, faults, config,
// revocations) and to observe it (stats). JSON in and out; errors are {"error": "..."}.
#include <set>

#include "ferry/core/clock.h"
#include "ferry/http/json.h"
#include "http_util.h"
#include "routes.h"
#include "sites.h"

namespace ferry::fake_atlassian {
namespace {

using nlohmann::json;
using Reply = http::Response;

Reply ok_json(const json& body, unsigned version) {
  return http::json_response(http::StatusCode::ok, body, version);
}

Reply admin_error(http::StatusCode status, const std::string& message, unsigned version) {
  return http::json_response(status, {{"error", message}}, version);
}

// The body as a JSON object; an empty body is an empty object.
std::optional<json> admin_body(const http::Request& request) {
  if (request.body().empty()) return json::object();
  auto parsed = json::parse(request.body(), nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object() && !parsed.is_array()) return std::nullopt;
  return parsed;
}

json clock_json(const Shared& s) {
  return {{"now", format_iso8601(s.now())}, {"offset_seconds", s.clock_offset.count()}};
}

Reply clock(State& state, http::RequestContext& context) {
  const unsigned version = context.request.version();
  auto body = admin_body(context.request);
  if (context.request.method() == http::Verb::post) {
    if (!body || !body->is_object() || !body->contains("advance_seconds") ||
        !(*body)["advance_seconds"].is_number_integer()) {
      return admin_error(http::StatusCode::bad_request, "expected {\"advance_seconds\": <integer>}",
                         version);
    }
    const std::chrono::seconds step((*body)["advance_seconds"].get<long long>());
    return ok_json(state.locked([&](Shared& s) {
      s.clock_offset += step;
      return clock_json(s);
    }),
                   version);
  }
  return ok_json(state.locked([](Shared& s) { return clock_json(s); }), version);
}

json stats_json(const Stats& stats) {
  return {{"token_requests",
           {{"authorization_code", stats.token_authorization_code},
            {"refresh_token", stats.token_refresh},
            {"total", stats.token_total}}},
          {"requests_by_path", stats.requests_by_path},
          {"requests_total", stats.requests_total}};
}

Reply stats(State& state, http::RequestContext& context) {
  return ok_json(state.locked([](Shared& s) { return stats_json(s.stats); }),
                 context.request.version());
}

Reply reset_stats(State& state, http::RequestContext& context) {
  state.locked([](Shared& s) { s.stats = Stats{}; });
  return ok_json({{"reset", true}}, context.request.version());
}

// {"refresh_token": T} kills T's whole grant, {"access_token": T} that token, {} everything
// (as a password change would).
Reply revoke(State& state, http::RequestContext& context) {
  const unsigned version = context.request.version();
  auto body = admin_body(context.request);
  if (!body || !body->is_object()) {
    return admin_error(http::StatusCode::bad_request, "expected a JSON object", version);
  }
  const std::string refresh = body->value("refresh_token", "");
  const std::string access = body->value("access_token", "");
  const std::size_t revoked = state.locked([&](Shared& s) {
    if (refresh.empty() && access.empty()) return s.tokens.revoke_all();
    std::size_t n = 0;
    if (!refresh.empty()) n += s.tokens.revoke_grant_of_refresh(refresh);
    if (!access.empty()) n += s.tokens.revoke_access(access);
    return n;
  });
  const bool named = !refresh.empty() || !access.empty();
  return http::json_response(named && revoked == 0 ? http::StatusCode::not_found : http::StatusCode::ok,
                             {{"revoked", revoked}}, version);
}

json faults_json(const std::vector<FaultRule>& faults) {
  json out = json::array();
  for (const auto& rule : faults) out.push_back(fault_rule_json(rule));
  return out;
}

// One rule object, an array of them, or {"rules": [...]}; all or nothing.
Reply add_faults(State& state, http::RequestContext& context) {
  const unsigned version = context.request.version();
  auto body = admin_body(context.request);
  if (!body) {
    return admin_error(http::StatusCode::bad_request, "expected a JSON object or array", version);
  }
  json list = body->is_array() ? *body : json::array({*body});
  if (body->is_object() && body->contains("rules")) list = (*body)["rules"];
  std::vector<FaultRule> rules;
  for (const auto& item : list) {
    auto rule = parse_fault_rule(item);
    if (!rule) return admin_error(http::StatusCode::bad_request, rule.error().message, version);
    rules.push_back(std::move(*rule));
  }
  return ok_json(state.locked([&](Shared& s) {
    s.faults.insert(s.faults.end(), rules.begin(), rules.end());
    return json{{"queued", rules.size()}, {"faults", faults_json(s.faults)}};
  }),
                 version);
}

Reply list_faults(State& state, http::RequestContext& context) {
  return ok_json(state.locked([](Shared& s) {
    return json{{"faults", faults_json(s.faults)}};
  }),
                 context.request.version());
}

Reply clear_faults(State& state, http::RequestContext& context) {
  const std::size_t cleared = state.locked([](Shared& s) {
    const std::size_t n = s.faults.size();
    s.faults.clear();
    return n;
  });
  return ok_json({{"cleared", cleared}}, context.request.version());
}

Reply reset_all(State& state, http::RequestContext& context) {
  state.reset();
  return ok_json({{"reset", true}}, context.request.version());
}

json config_json(const Config& c) {
  return {{"deny", c.deny},
          {"sites", c.sites},
          {"leeway_seconds", c.leeway.count()},
          {"access_token_seconds", c.access_token_lifetime.count()},
          {"code_seconds", c.code_lifetime.count()},
          {"refresh_inactivity_seconds", c.refresh_inactivity.count()},
          {"refresh_absolute_seconds", c.refresh_absolute.count()},
          {"check_scopes", c.check_scopes},
          {"duplicate_site_ids", c.duplicate_site_ids},
          {"confluence_expiry_quirk", c.confluence_expiry_quirk}};
}

// Applies `changes` to a copy of `config`: every key must be one config_json() lists, with a
// value of the same kind. The message names the first bad key.
std::optional<std::string> apply_config(const json& changes, Config& config) {
  const json current = config_json(config);
  for (auto it = changes.begin(); it != changes.end(); ++it) {
    if (!current.contains(it.key())) return "unknown config key \"" + it.key() + "\"";
    const bool want_bool = current[it.key()].is_boolean();
    if (want_bool ? !it.value().is_boolean() : !it.value().is_number_integer()) {
      return it.key() + (want_bool ? " must be a boolean" : " must be an integer");
    }
    if (!want_bool && it.value().get<long long>() < 0) return it.key() + " must be >= 0";
  }
  auto seconds = [&](const char* key, std::chrono::seconds& out) {
    if (changes.contains(key)) out = std::chrono::seconds(changes[key].get<long long>());
  };
  auto flag = [&](const char* key, bool& out) {
    if (changes.contains(key)) out = changes[key].get<bool>();
  };
  if (changes.contains("sites")) {
    const int sites = changes["sites"].get<int>();
    if (sites < 1 || sites > kSiteCount) {
      return "sites must be from 1 to " + std::to_string(kSiteCount);
    }
    config.sites = sites;
  }
  seconds("leeway_seconds", config.leeway);
  seconds("access_token_seconds", config.access_token_lifetime);
  seconds("code_seconds", config.code_lifetime);
  seconds("refresh_inactivity_seconds", config.refresh_inactivity);
  seconds("refresh_absolute_seconds", config.refresh_absolute);
  flag("deny", config.deny);
  flag("check_scopes", config.check_scopes);
  flag("duplicate_site_ids", config.duplicate_site_ids);
  flag("confluence_expiry_quirk", config.confluence_expiry_quirk);
  return std::nullopt;
}

Reply admin_config(State& state, http::RequestContext& context) {
  const unsigned version = context.request.version();
  auto body = admin_body(context.request);
  if (context.request.method() == http::Verb::post) {
    if (!body || !body->is_object()) {
      return admin_error(http::StatusCode::bad_request, "expected a JSON object", version);
    }
    Config updated = state.locked([](Shared& s) { return s.config; });
    if (auto problem = apply_config(*body, updated)) {
      return admin_error(http::StatusCode::bad_request, *problem, version);
    }
    state.locked([&](Shared& s) { s.config = updated; });
  }
  return ok_json(state.locked([](Shared& s) { return config_json(s.config); }), version);
}

}  // namespace

void add_admin_routes(http::Router& router, std::shared_ptr<State> state) {
  auto route = [&](http::Verb verb, const std::string& path,
                   Reply (*fn)(State&, http::RequestContext&)) {
    router.add(verb, path,
               sync_handler([state, fn](http::RequestContext& c) { return fn(*state, c); }));
  };
  route(http::Verb::get, "/__admin/clock", clock);
  route(http::Verb::post, "/__admin/clock", clock);
  route(http::Verb::get, "/__admin/stats", stats);
  route(http::Verb::post, "/__admin/reset-stats", reset_stats);
  route(http::Verb::post, "/__admin/revoke", revoke);
  route(http::Verb::get, "/__admin/faults", list_faults);
  route(http::Verb::post, "/__admin/faults", add_faults);
  route(http::Verb::delete_, "/__admin/faults", clear_faults);
  route(http::Verb::get, "/__admin/config", admin_config);
  route(http::Verb::post, "/__admin/config", admin_config);
  route(http::Verb::post, "/__admin/reset", reset_all);
}

}  // namespace ferry::fake_atlassian
