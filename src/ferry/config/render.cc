#include "ferry/config/render.h"

#include "ferry/config/catalog.h"
#include "ferry/config/enum_names.h"
#include "ferry/core/strings.h"
#include "ferry/observe/redact.h"

namespace ferry::config {
namespace {

using nlohmann::json;

bool looks_secret(std::string_view name) {
  std::string lower = to_lower(name);
  for (std::string_view word : {"authorization", "token", "secret", "key", "password", "signature"}) {
    if (lower.find(word) != std::string::npos) return true;
  }
  return false;
}

// A literal secret typed into a header or param is masked; a template such as
// "Bearer ${access_token}" is configuration, not a secret, and is shown.
json string_map(const std::map<std::string, std::string>& values, bool include_secrets) {
  json out = json::object();
  for (const auto& [name, value] : values) {
    bool hide = !include_secrets && looks_secret(name) && value.find("${") == std::string::npos;
    out[name] = hide ? observe::mask(value) : value;
  }
  return out;
}

json auth_to_json(const AuthConfig& auth, bool include_secrets) {
  return {
      {"auth_mode", auth_mode_name(auth.auth_mode)},
      {"authorization_url", auth.authorization_url},
      {"authorization_params", string_map(auth.authorization_params, include_secrets)},
      {"scope_separator", auth.scope_separator},
      {"token_url", auth.token_url},
      {"token_params", string_map(auth.token_params, include_secrets)},
      {"authorization_method", authorization_method_name(auth.authorization_method)},
      {"body_format", body_format_name(auth.body_format)},
      {"refresh_url", auth.refresh_url},
      {"revocation_url", auth.revocation_url},
      {"pkce", auth.pkce},
      {"grant_type", grant_type_name(auth.grant_type)},
      {"refresh_margin_seconds", auth.refresh_margin.count()},
      {"refresh_token_idle_days",
       std::chrono::duration_cast<std::chrono::days>(auth.refresh_token_idle_lifetime).count()},
      {"refresh_token_max_days",
       std::chrono::duration_cast<std::chrono::days>(auth.refresh_token_max_lifetime).count()},
      {"request_url", auth.request_url},
      {"request_params", string_map(auth.request_params, include_secrets)},
      {"request_http_method", auth.request_http_method},
      {"token_http_method", auth.token_http_method},
      {"signature_method", auth.signature_method},
  };
}

json retry_to_json(const RetryConfig& retry) {
  const RateLimitHeaders& h = retry.rate_limit_headers;
  return {
      {"max_attempts", retry.max_attempts},
      {"base_delay_ms", retry.base_delay.count()},
      {"max_delay_ms", retry.max_delay.count()},
      {"retry_on", retry.retry_on},
      {"rate_limit_headers",
       {{"retry_after", h.retry_after},
        {"reset", h.reset},
        {"reset_format", reset_format_name(h.reset_format)},
        {"remaining", h.remaining}}},
  };
}

json deprecated_endpoints_to_json(const std::vector<DeprecatedEndpoint>& endpoints) {
  json out = json::array();
  for (const auto& endpoint : endpoints) {
    out.push_back({{"path", endpoint.path},
                   {"replacement", endpoint.replacement},
                   {"methods", endpoint.methods},
                   {"note", endpoint.note}});
  }
  return out;
}

// The settings a blueprint version and an integration share.
json settings_to_json(const Integration& s, bool include_secrets) {
  return {
      {"auth_mode", auth_mode_name(s.auth.auth_mode)},
      {"oauth_scopes", s.oauth_scopes},
      {"auth", auth_to_json(s.auth, include_secrets)},
      {"requests",
       {{"base_url", s.requests.base_url},
        {"headers", string_map(s.requests.headers, include_secrets)},
        {"params", string_map(s.requests.params, include_secrets)}}},
      {"retry", retry_to_json(s.retry)},
      {"post_connection", s.post_connection},
      {"keep_alive_after_days",
       s.keep_alive_after
           ? json(std::chrono::duration_cast<std::chrono::days>(*s.keep_alive_after).count())
           : json(nullptr)},
      {"log_level", s.log_level ? json(observe::level_name(*s.log_level)) : json(nullptr)},
      {"http_request_timeout_seconds",
       s.http_request_timeout ? json(s.http_request_timeout->count()) : json(nullptr)},
      {"deprecated_endpoints", deprecated_endpoints_to_json(s.deprecated_endpoints)},
      {"deprecated_endpoint_policy", deprecated_endpoint_policy_name(s.deprecated_endpoint_policy)},
      {"site_selection", site_selection_name(s.site_selection)},
      {"pagination", s.pagination},
  };
}

std::string scalar_text(const json& value) {
  if (value.is_string()) {
    const auto& s = value.get_ref<const std::string&>();
    if (s.empty()) return "(none)";
    // Quote what would otherwise be invisible, such as a scope separator of " ".
    return trim(s).size() == s.size() ? s : value.dump();
  }
  if (value.is_null()) return "(none)";
  return value.dump();
}

// One "  key.path: value" line per leaf of `value`; lists of scalars stay on one line, and
// items of a list of maps are numbered ("deprecated_endpoints[0].path").
void flatten(const json& value, const std::string& path, std::string& out) {
  if (value.is_object() && !value.empty()) {
    for (const auto& [key, child] : value.items()) {
      flatten(child, path.empty() ? key : path + "." + key, out);
    }
    return;
  }
  if (value.is_array() && !value.empty() && value.front().is_object()) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      flatten(value[i], path + "[" + std::to_string(i) + "]", out);
    }
    return;
  }
  std::string text;
  if (value.is_array()) {
    std::vector<std::string> items;
    for (const auto& item : value) items.push_back(scalar_text(item));
    text = items.empty() ? "(none)" : join(items, " ");
  } else {
    text = value.is_object() ? "(none)" : scalar_text(value);
  }
  out += "  " + path + ": " + text + "\n";
}

// "postgresql://user:secret@host/db" -> "postgresql://user:[REDACTED]@host/db".
std::string without_password(const std::string& url) {
  std::size_t scheme = url.find("://");
  std::size_t at = url.find('@');
  if (scheme == std::string::npos || at == std::string::npos) return url;
  std::size_t colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + std::string(observe::kRedacted) + url.substr(at);
}

std::string describe_server(const Project& project) {
  const ServerConfig& s = project.server;
  auto key = [](const std::string& value, bool generated) {
    return observe::mask(value) + (generated ? " (generated for this run)" : "");
  };
  json server = {
      {"listen", s.listen_address + ":" + std::to_string(s.server_port)},
      {"server_root_url", s.server_root_url},
      {"main_server_log_level", observe::level_name(s.main_server_log_level)},
      {"default_action_log_level", observe::level_name(s.default_action_log_level)},
      {"default_http_request_timeout_seconds", s.default_http_request_timeout.count()},
      {"database_url", without_password(s.database_url)},
      {"database_pool_size", s.database_pool_size},
      {"log_file", s.log_file},
      {"log_format", s.log_format == observe::LogFormat::json ? "json" : "text"},
      {"max_request_body_bytes", s.max_request_body_bytes},
      {"ca_file", s.ca_file.empty() ? "(system)" : s.ca_file},
      {"max_pending_oauth_flows_per_client", s.max_pending_oauth_flows_per_client},
      {"max_websockets_per_client", s.max_websockets_per_client},
      {"action_threads", s.action_threads},
      {"action_cpu_time_ms", s.action_cpu_time.count()},
      {"action_memory_bytes", s.action_memory_bytes},
      {"secret_key", key(s.secret_key, s.secret_key_generated)},
      {"public_key", key(s.public_key, s.public_key_generated)},
      {"admin_password", s.admin_password.empty() ? "(none: the dashboard takes the secret key)"
                                                  : observe::mask(s.admin_password)},
      {"encryption_key", s.encryption_key.empty() ? "(none: credentials are stored unencrypted)"
                                                  : observe::mask(s.encryption_key)},
  };
  std::string out = "Server (ferry.yaml)\n";
  flatten(server, "", out);
  return out;
}

}  // namespace

nlohmann::json integration_to_json(const Integration& integration, bool include_secrets) {
  json out = settings_to_json(integration, include_secrets);
  out["unique_key"] = integration.key;
  out["provider"] = integration.provider;
  out["blueprint_version"] = integration.blueprint_version;
  out["source"] = integration.source;
  out["oauth_client_id"] = integration.oauth_client_id;
  if (include_secrets) {
    out["oauth_client_secret"] = integration.oauth_client_secret;
    out["app_api_key"] = integration.app_api_key;
  } else if (!integration.app_api_key.empty()) {
    out["app_api_key"] = observe::mask(integration.app_api_key);
  }
  return out;
}

nlohmann::json blueprint_to_json(const Blueprint& blueprint) {
  json versions = json::object();
  for (const auto& version : blueprint.versions) {
    json v = settings_to_json(version.settings, true);
    v["comment"] = version.comment;
    v["yaml"] = version.yaml;
    versions[version.name] = std::move(v);
  }
  return {
      {"name", blueprint.name},
      {"maintainer", blueprint.maintainer},
      {"docs_url", blueprint.docs_url},
      {"categories", blueprint.categories},
      {"sources", blueprint.sources},
      {"description", blueprint.description},
      {"latest_version", blueprint.latest()->name},
      {"versions", std::move(versions)},
  };
}

Result<std::string> describe_blueprint(const Catalog& catalog, std::string_view spec) {
  auto resolved = catalog.resolve(spec);
  if (!resolved) return resolved.error();
  const Blueprint& blueprint = *resolved->blueprint;
  std::vector<std::string> names;
  for (const auto& version : blueprint.versions) names.push_back(version.name);
  std::string out = "Blueprint " + blueprint.name + " (" + blueprint.source + ")\n";
  if (!blueprint.description.empty()) out += "  " + blueprint.description + "\n";
  out += "  maintainer: " + blueprint.maintainer + "\n";
  out += "  docs_url: " + blueprint.docs_url + "\n";
  if (!blueprint.categories.empty()) {
    out += "  categories: " + join(blueprint.categories, ", ") + "\n";
  }
  for (const auto& source : blueprint.sources) out += "  source: " + source + "\n";
  out += "  versions: " + join(names, " ") + " (latest: " + blueprint.latest()->name + ")\n";
  bool all = spec.find(':') == std::string_view::npos;
  for (const auto& version : blueprint.versions) {
    if (!all && &version != resolved->version) continue;
    out += "\n" + blueprint.name + ":" + version.name + " (" + version.source + ")\n";
    out += version.yaml;
  }
  return out;
}

std::string describe_project(const Project& project) {
  std::string out = "Integrations folder: " + project.dir.string() + "\n\n";
  out += describe_server(project);
  for (const auto& [key, integration] : project.integrations) {
    json fields = integration_to_json(integration, false);
    for (const char* header :
         {"unique_key", "source", "provider", "blueprint_version", "auth_mode"}) {
      fields.erase(header);
    }
    fields["oauth_client_secret"] = integration.oauth_client_secret.empty()
                                        ? std::string()
                                        : observe::mask(integration.oauth_client_secret);
    if (!integration.log_level) {
      fields["log_level"] = std::string(observe::level_name(project.server.default_action_log_level)) +
                            " (server default)";
    }
    if (!integration.http_request_timeout) {
      fields["http_request_timeout_seconds"] =
          std::to_string(project.server.default_http_request_timeout.count()) + " (server default)";
    }
    out += "\nIntegration " + key + " (" + integration.source + ")";
    if (!integration.provider.empty()) {
      out += ", extends blueprint " + integration.provider + ":" + integration.blueprint_version;
    }
    out += "\n";
    flatten(fields, "", out);
  }
  if (project.integrations.empty()) out += "\nNo integrations configured.\n";
  out += "\nOAuth callback URL: " + project.callback_url() + "\n";
  return out;
}

}  // namespace ferry::config
