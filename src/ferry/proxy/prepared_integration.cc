#include "ferry/proxy/prepared_integration.h"

namespace ferry::proxy {
namespace {

PreparedIntegration prepare(const config::Integration& integration,
                            std::chrono::seconds default_timeout) {
  PreparedIntegration out;
  out.config = &integration;
  out.metrics = &observe::integration_metrics(integration.key);
  out.timeout = integration.http_request_timeout.value_or(default_timeout);
  out.deprecated_endpoints = DeprecatedEndpointMatcher(integration.deprecated_endpoints);
  auto base = BaseUrl::parse(integration.requests.base_url);
  if (base) {
    out.base_url = std::move(*base);
  } else {
    out.base_url_error = Error{Errc::invalid_argument, "the integration's base_url is not usable: " +
                                                           base.error().message};
  }
  for (const auto& [name, text] : integration.requests.headers) {
    auto compiled = auth::Template::compile(text, auth::Template::Mode::text,
                                             auth::Template::Scope::integration_templates);
    if (!compiled) {
      if (!out.template_error) out.template_error = compiled.error();
      continue;
    }
    std::string source = "integration " + integration.key + "'s requests.headers";
    if (compiled->has_placeholders()) source += ", with " + compiled->sources();
    out.headers.push_back({name, std::move(*compiled), std::move(source)});
  }
  for (const auto& [name, text] : integration.requests.params) {
    auto compiled = auth::Template::compile(text, auth::Template::Mode::text,
                                             auth::Template::Scope::integration_templates);
    if (!compiled) {
      if (!out.template_error) out.template_error = compiled.error();
      continue;
    }
    out.params.push_back({name, std::move(*compiled)});
  }
  return out;
}

}  // namespace

std::shared_ptr<const PreparedProject> PreparedProject::build(
    std::shared_ptr<const config::Project> project) {
  auto out = std::shared_ptr<PreparedProject>(new PreparedProject());
  for (const auto& [key, integration] : project->integrations) {
    out->integrations_.emplace(key,
                               prepare(integration, project->server.default_http_request_timeout));
  }
  out->project_ = std::move(project);
  return out;
}

const PreparedIntegration* PreparedProject::find(const std::string& key) const {
  auto it = integrations_.find(key);
  return it == integrations_.end() ? nullptr : &it->second;
}

}  // namespace ferry::proxy
