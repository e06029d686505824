#include "ferry/api/site_choice.h"

#include <fmt/format.h>

#include "ferry/api/authorization.h"
#include "ferry/api/flow_results.h"
#include "ferry/api/handler_support.h"
#include "ferry/core/crypto.h"
#include "ferry/core/http_origin.h"
#include "ferry/core/strings.h"
#include "ferry/http/json.h"
#include "ferry/observe/log.h"
#include "ferry/store/activity_writer.h"
#include "ferry/store/store.h"

namespace ferry::api {
namespace {

using nlohmann::json;

constexpr std::chrono::minutes kChoiceLifetime{15};
constexpr std::size_t kMaxChoiceBytes = 4096;

std::string string_at(const json& object, const char* name) {
  if (!object.is_object()) return {};
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The choice tokens' own key: the secret key never signs anything else directly.
std::string choice_key(const Services& services) {
  return hmac_sha256(services.project->server.secret_key, "ferry site choice v1");
}

std::int64_t epoch_seconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// "<base64url claims>.<base64url HMAC-SHA256 of them>".
std::string choice_token(const Services& services, const FlowIdentity& flow,
                         const std::string& ws_client_id, const std::string& target_origin) {
  const json claims = {{"k", flow.provider_config_key},
                       {"c", flow.connection_id},
                       {"w", ws_client_id},
                       {"o", target_origin},
                       {"e", epoch_seconds(services.clock->now() + kChoiceLifetime)}};
  const std::string body = base64url_encode(claims.dump());
  return body + "." + base64url_encode(hmac_sha256(choice_key(services), body));
}

struct Choice {
  FlowIdentity flow;
  std::string ws_client_id;
  std::string target_origin;
};

Result<Choice> read_choice(const Services& services, std::string_view token) {
  const Error refused{Errc::invalid_argument,
                      "this site choice is not valid or has expired (15 minutes): connect again"};
  if (token.size() > kMaxChoiceBytes) return refused;
  const std::size_t dot = token.find('.');
  if (dot == std::string_view::npos) return refused;
  auto signature = base64url_decode(token.substr(dot + 1));
  if (!signature ||
      !constant_time_equals(*signature, hmac_sha256(choice_key(services), token.substr(0, dot)))) {
    return refused;
  }
  auto text = base64url_decode(token.substr(0, dot));
  if (!text) return refused;
  const json claims = json::parse(*text, nullptr, false);
  const json expires = claims.is_object() ? claims.value("e", json()) : json();
  if (!expires.is_number_integer() ||
      expires.get<std::int64_t>() < epoch_seconds(services.clock->now())) {
    return refused;
  }
  return Choice{{string_at(claims, "k"), string_at(claims, "c")},
                string_at(claims, "w"),
                string_at(claims, "o")};
}

// The site of `sites` with that cloud id, or whose URL is https://<subdomain>.atlassian.net.
const json* find_site(const json& sites, const std::string& cloud_id,
                      const std::string& subdomain) {
  if (!sites.is_array()) return nullptr;
  for (const json& site : sites) {
    if (!cloud_id.empty() && string_at(site, "id") == cloud_id) return &site;
    if (!subdomain.empty()) {
      std::string url = to_lower(string_at(site, "url"));
      while (!url.empty() && url.back() == '/') url.pop_back();
      if (url == "https://" + to_lower(subdomain) + ".atlassian.net") return &site;
    }
  }
  return nullptr;
}

// Sets the connection's site; Errc::invalid_argument when it is not one of its sites.
// Blocks.
Result<store::Connection> switch_site(store::Store& store, const store::ConnectionKey& key,
                                      const std::string& cloud_id, const std::string& subdomain) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto connection = store.find_connection(key);
    if (!connection) return connection.error();
    const json sites = connection->connection_config.is_object()
                           ? connection->connection_config.value("sites", json::array())
                           : json::array();
    const json* site = find_site(sites, cloud_id, subdomain);
    if (!site) {
      return Error{Errc::invalid_argument,
                   fmt::format("{} cannot reach that site: it is not among its "
                               "connectionConfig.sites",
                               store::describe(key))};
    }
    json config = connection->connection_config;  // an object: it has sites
    config["cloudId"] = string_at(*site, "id");
    config["baseUrl"] = string_at(*site, "url");
    store::ConnectionUpdate update;
    update.connection_config = std::move(config);
    update.expected_version = connection->version;
    auto updated = store.update_connection(key, update);
    if (updated || updated.error().code != Errc::conflict) return updated;
  }
  return Error{Errc::unavailable, "the connection kept changing while its site was set; retry"};
}

void record_choice(const Services& services, const store::Connection& connection) {
  if (!services.activity) return;
  store::ActivityEntry entry;
  entry.type = "auth";
  entry.provider_config_key = connection.provider_config_key;
  entry.connection_id = connection.connection_id;
  entry.message = fmt::format("site chosen: {}",
                              string_at(connection.connection_config, "baseUrl"));
  services.activity->record(std::move(entry));
}

constexpr std::string_view kPickerPage = R"html(<!DOCTYPE html>
<html>
  <head>
    <meta charset="utf-8">
    <title>Choose a site</title>
  </head>
  <body style="font-family: sans-serif; display: flex; min-height: 90vh; align-items: center; justify-content: center;">
    <div>
      <h1 style="font-size: 1.2em">Which site should @APP@ use?</h1>
      @SITES@
    </div>
  </body>
</html>
)html";

std::string site_button(const std::string& action, const std::string& token, const json& site,
                        std::size_t index) {
  const std::string avatar = string_at(site, "avatarUrl");
  // Only https images: the avatar URL comes from the provider.
  const std::string image =
      starts_with_icase(avatar, "https://")
          ? fmt::format("<img src=\"{}\" alt=\"\" width=\"24\" height=\"24\" "
                        "referrerpolicy=\"no-referrer\" style=\"vertical-align: middle\"> ",
                        escape_html(avatar))
          : std::string();
  return fmt::format(
      "<form method=\"post\" action=\"{}\" style=\"margin: 0.5em 0\">"
      "<input type=\"hidden\" name=\"choice\" value=\"{}\">"
      "<input type=\"hidden\" name=\"site\" value=\"{}\">"
      "<button type=\"submit\" id=\"site-{}\" style=\"width: 100%; text-align: left; "
      "padding: 0.5em\">{}<strong>{}</strong> <span style=\"color: #555\">{}</span></button>"
      "</form>\n",
      escape_html(action), escape_html(token), escape_html(string_at(site, "id")), index, image,
      escape_html(string_at(site, "name")), escape_html(string_at(site, "url")));
}

http::Response choice_failure(const Services& services, const Choice* choice,
                              const ConnectFailure& failure, unsigned version) {
  FlowIdentity flow = choice ? choice->flow : FlowIdentity{};
  std::string origin = choice && !choice->target_origin.empty() ? choice->target_origin : "/";
  if (choice) deliver_flow_result(services, choice->ws_client_id, ws_error(failure));
  return failure_page(flow, failure, origin, version);
}

// POST /oauth/site (a form from the picker page).
http::Response take_choice(const Services& services, http::RequestContext& ctx) {
  const unsigned version = ctx.request.version();
  if (ctx.request.body().size() > kMaxChoiceBytes * 2) {
    return choice_failure(services, nullptr,
                          {http::StatusCode::payload_too_large, "callback_err",
                           "the site choice is too large"},
                          version);
  }
  // A form body is a query string: parsed as the query of an origin-form target.
  const auto form = http::parse_query("/?" + ctx.request.body());
  auto field = [&](const char* name) {
    auto it = form.find(name);
    return it == form.end() ? std::string() : it->second;
  };
  auto choice = read_choice(services, field("choice"));
  if (!choice) {
    return choice_failure(services, nullptr,
                          {http::StatusCode::bad_request, "callback_err", choice.error().message},
                          version);
  }
  const store::ConnectionKey key{choice->flow.provider_config_key, choice->flow.connection_id};
  auto chosen = switch_site(*services.store, key, field("site"), "");
  if (!chosen) {
    return choice_failure(services, &*choice, failure_from(chosen.error(), "callback_err"),
                          version);
  }
  record_choice(services, *chosen);
  deliver_flow_result(services, choice->ws_client_id, ws_success(choice->flow));
  return success_page(choice->flow,
                      choice->target_origin.empty() ? "/" : choice->target_origin, version);
}

// PUT /connections/{id}/site (backend).
http::Response put_site(const Services& services, http::RequestContext& ctx) {
  const std::string* integration = ctx.query_param("provider_config_key");
  if (!integration || integration->empty()) {
    return fail(ctx, Errc::invalid_argument, "the provider_config_key query parameter is required");
  }
  const json body = json::parse(ctx.request.body(), nullptr, false);
  const std::string cloud_id = string_at(body, "cloudId");
  const std::string subdomain = string_at(body, "subdomain");
  if (cloud_id.empty() == subdomain.empty()) {
    return fail(ctx, Errc::invalid_argument,
                "the body must be a JSON object with either cloudId or subdomain");
  }
  auto chosen = switch_site(*services.store, {*integration, ctx.path_params.at("id")}, cloud_id,
                            subdomain);
  if (!chosen) return fail(ctx, chosen.error());
  record_choice(services, *chosen);
  return http::json_response(http::StatusCode::ok,
                             {{"connection_id", chosen->connection_id},
                              {"provider_config_key", chosen->provider_config_key},
                              {"connection_config", chosen->connection_config}},
                             ctx.request.version());
}

}  // namespace

bool needs_site_choice(const store::Connection& connection) {
  const json& config = connection.connection_config;
  if (!config.is_object()) return false;
  const json sites = config.value("sites", json());
  return sites.is_array() && sites.size() > 1 && string_at(config, "cloudId").empty();
}

http::Response site_choice_page(const Services& services, const FlowIdentity& flow,
                                const std::string& ws_client_id, const std::string& target_origin,
                                const store::Connection& connection, unsigned version) {
  const std::string token = choice_token(services, flow, ws_client_id, target_origin);
  std::string root = services.project->server.server_root_url;
  while (!root.empty() && root.back() == '/') root.pop_back();
  const std::string action = root + "/oauth/site";
  std::string buttons;
  std::size_t index = 0;
  const json sites = connection.connection_config.is_object()
                         ? connection.connection_config.value("sites", json::array())
                         : json::array();
  for (const json& site : sites) {
    buttons += site_button(action, token, site, index++);
  }
  std::string body(kPickerPage);
  // Last marker first, so inserted text is never scanned for a marker.
  body.replace(body.find("@SITES@"), 7, buttons);
  body.replace(body.find("@APP@"), 5, escape_html(flow.provider_config_key));
  http::Response response{http::StatusCode::ok, version};
  response.set(http::bhttp::field::content_type, "text/html; charset=utf-8");
  response.set(http::bhttp::field::cache_control, "no-store");
  response.set("Content-Security-Policy",
               "default-src 'none'; style-src 'unsafe-inline'; img-src https:; form-action " +
                   http_origin(root).value_or("'self'"));
  response.set("X-Content-Type-Options", "nosniff");
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

void register_site_choice(http::Router& router, std::shared_ptr<const Services> services) {
  router.add(http::Verb::post, "/oauth/site", make_handler(services, take_choice));
  router.add(http::Verb::put, "/connections/{id}/site",
             require_backend_access(services, make_handler(services, put_site)));
}

}  // namespace ferry::api
