#include "ferry/proxy/upstream_request.h"

#include "ferry/core/strings.h"
#include "ferry/observe/redact.h"
#include "ferry/proxy/forward_headers.h"

namespace ferry::proxy {
namespace {

// Headers whose value the caller chose to send upstream as it is (Nango-Proxy-<Name>, an
// action's headers): their placeholders are resolved, in the connection-data scope. Plain
// inbound headers (Accept, User-Agent) are relayed untouched.
bool is_templated(const http::OutboundHeader& header) {
  return header.source == kFromNangoProxyHeader || header.source == kFromAction;
}

// `in header "<name>", <why>`, the name bounded and printable: it is the caller's text and
// ends up in a log line and an error body. Not written `<name>: ...`, which the redactor
// would read as a credential header (`Authorization: ...`) and mask.
Error header_error(std::string_view name, const Error& why) {
  std::string shown(name.substr(0, 64));
  for (char& c : shown) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
  }
  return Error{Errc::invalid_argument, "in header \"" + shown + "\", " + why.message};
}

}  // namespace

Result<std::unique_ptr<TargetPlan>> TargetPlan::make(const PreparedIntegration& integration,
                                                     std::string_view base_override,
                                                     std::string_view endpoint,
                                                     std::string_view query,
                                                     std::vector<http::OutboundHeader> forwarded) {
  auto plan = std::unique_ptr<TargetPlan>(new TargetPlan());
  plan->integration_ = &integration;
  if (base_override.empty()) {
    if (!integration.base_url) return *integration.base_url_error;
  } else {
    auto base = BaseUrl::parse(base_override);
    if (!base) {
      return Error{Errc::invalid_argument,
                   "Base-Url-Override is not usable: " + base.error().message};
    }
    plan->override_ = std::move(*base);
  }
  // The guard runs on what the caller sent, before any credential is read.
  auto guarded = UpstreamTarget::build(plan->base(), endpoint, query);
  if (!guarded) return guarded.error();
  plan->display_url_ = guarded->url();
  // Written by the caller (or a script): only the connection's own data may fill it.
  auto compiled = auth::Template::compile(endpoint, auth::Template::Mode::path,
                                          auth::Template::Scope::connection_data);
  if (!compiled) return compiled.error();
  if (compiled->has_placeholders()) {
    plan->endpoint_template_ = std::move(*compiled);
    plan->endpoint_ = std::string(endpoint);
    plan->query_ = std::string(query);
  } else {
    plan->fixed_target_ = std::move(*guarded);
  }
  plan->forwarded_.reserve(forwarded.size());
  for (auto& header : forwarded) {
    ForwardedHeader entry{std::move(header), std::nullopt};
    if (is_templated(entry.header)) {
      auto value = auth::Template::compile(entry.header.value, auth::Template::Mode::text,
                                           auth::Template::Scope::connection_data);
      if (!value) return header_error(entry.header.name, value.error());
      // Kept also when it only holds escapes: "$${" must go up as "${".
      if (entry.header.value.find("${") != std::string::npos) entry.value = std::move(*value);
    }
    plan->forwarded_.push_back(std::move(entry));
  }
  return plan;
}

Result<http::OutboundRequest> TargetPlan::build(const store::Connection& connection,
                                                http::Verb method,
                                                std::string_view method_name) const {
  const config::Integration& config = *integration_->config;
  const auth::PlaceholderContext context{connection.credentials, connection.connection_config,
                                         connection.metadata, config};
  std::optional<UpstreamTarget> resolved;
  if (!fixed_target_) {
    auto path = endpoint_template_.render(context);
    if (!path) return path.error();
    // A value such as ".." passes the encoding; the guard catches it.
    auto target = UpstreamTarget::build(base(), *path, query_);
    if (!target) return target.error();
    resolved = std::move(*target);
  }
  const UpstreamTarget* target = resolved ? &*resolved : &*fixed_target_;
  if (integration_->template_error) return *integration_->template_error;
  std::optional<UpstreamTarget> with_params;
  if (!integration_->params.empty()) {
    std::vector<std::pair<std::string, std::string>> params;
    params.reserve(integration_->params.size());
    for (const auto& param : integration_->params) {
      auto value = param.value.render(context);
      if (!value) return value.error();
      params.emplace_back(param.name, std::move(*value));
    }
    with_params = target->with_params(params);
    target = &*with_params;
  }

  http::OutboundRequest request;
  request.method = method;
  if (method == http::Verb::unknown) request.method_name = std::string(method_name);
  const BaseUrl& base_url = base();
  request.origin.tls = base_url.is_https();
  request.origin.host = base_url.host();
  // Brackets belong to the URL syntax of IPv6 literals, not to the address.
  if (request.origin.host.size() > 2 && request.origin.host.front() == '[') {
    request.origin.host = request.origin.host.substr(1, request.origin.host.size() - 2);
  }
  request.origin.port = base_url.port();
  // A base URL the caller chose may point anywhere: the connector checks where it resolves.
  request.origin.egress_checked = override_.has_value();
  request.target = target->target();
  request.host_header = target->host_header();
  request.timeout = integration_->timeout;
  request.headers.reserve(forwarded_.size() + integration_->headers.size());
  // The integration's headers carry the credentials; they replace whatever the caller sent
  // under the same name.
  for (const auto& [header, value_template] : forwarded_) {
    bool replaced = false;
    for (const auto& own : integration_->headers) {
      if (iequals(own.name, header.name)) replaced = true;
    }
    if (replaced) continue;
    if (!value_template) {
      request.headers.push_back(header);
      continue;
    }
    auto value = value_template->render(context);
    if (!value) return header_error(header.name, value.error());
    request.headers.push_back({header.name, std::move(*value), header.source});
  }
  for (const auto& own : integration_->headers) {
    auto value = own.value.render(context);
    if (!value) return value.error();
    request.headers.push_back({own.name, std::move(*value), own.source});
  }
  return request;
}

std::string describe_headers(const std::vector<http::OutboundHeader>& headers,
                             const config::Integration& integration) {
  std::string out;
  for (const auto& header : headers) {
    if (!out.empty()) out += ", ";
    bool configured = false;
    for (const auto& [configured_name, unused] : integration.requests.headers) {
      if (iequals(configured_name, header.name)) configured = true;
    }
    out += header.name + ": " +
           (configured ? std::string(observe::kRedacted) : observe::redact(header.value));
  }
  return out;
}

}  // namespace ferry::proxy
