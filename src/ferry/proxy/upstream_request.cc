#include "ferry/proxy/upstream_request.h"

#include "ferry/auth/placeholders.h"
#include "ferry/core/strings.h"
#include "ferry/observe/redact.h"

namespace ferry::proxy {

Result<TargetPlan> plan_target(const config::Integration& integration,
                               std::string_view base_override, std::string_view endpoint,
                               std::string_view query) {
  std::string_view base_text =
      base_override.empty() ? std::string_view(integration.requests.base_url) : base_override;
  auto base = BaseUrl::parse(base_text);
  if (!base) {
    return Error{Errc::invalid_argument,
                 (base_override.empty() ? "the integration's base_url is not usable: "
                                        : "Base-Url-Override is not usable: ") +
                     base.error().message};
  }
  auto guarded = UpstreamTarget::build(*base, endpoint, query);
  if (!guarded) return guarded.error();
  std::string display = guarded->url();
  return TargetPlan{std::move(*base), std::move(display)};
}

Result<UpstreamCall> build_call(const config::Integration& integration, const TargetPlan& plan,
                                const store::Connection& connection, HeaderList forwarded,
                                std::string_view endpoint, std::string_view query,
                                std::chrono::seconds timeout) {
  const auth::PlaceholderContext context{connection.credentials, connection.connection_config,
                                         connection.metadata, integration};
  auto resolved_endpoint = auth::interpolate_path(endpoint, context);
  if (!resolved_endpoint) return resolved_endpoint.error();
  auto target = UpstreamTarget::build(plan.base, *resolved_endpoint, query);
  if (!target) return target.error();
  if (!integration.requests.params.empty()) {
    std::vector<std::pair<std::string, std::string>> params;
    for (const auto& [name, value] : integration.requests.params) {
      auto resolved = auth::interpolate(value, context);
      if (!resolved) return resolved.error();
      params.emplace_back(name, std::move(*resolved));
    }
    target = target->with_params(params);
  }
  // The integration's headers carry the credentials; they replace whatever the caller sent
  // under the same name.
  for (const auto& [name, value] : integration.requests.headers) {
    auto resolved = auth::interpolate(value, context);
    if (!resolved) return resolved.error();
    std::erase_if(forwarded, [&](const auto& header) { return iequals(header.first, name); });
    forwarded.emplace_back(name, std::move(*resolved));
  }

  UpstreamCall call;
  call.origin.tls = plan.base.is_https();
  call.origin.host = plan.base.host();
  // Brackets belong to the URL syntax of IPv6 literals, not to the address.
  if (call.origin.host.size() > 2 && call.origin.host.front() == '[') {
    call.origin.host = call.origin.host.substr(1, call.origin.host.size() - 2);
  }
  call.origin.port = plan.base.port();
  call.target = target->target();
  call.host_header = target->host_header();
  call.headers = std::move(forwarded);
  call.attempt_timeout = timeout;
  return call;
}

std::string describe_headers(const HeaderList& headers, const config::Integration& integration) {
  std::string out;
  for (const auto& [name, value] : headers) {
    if (!out.empty()) out += ", ";
    bool configured = false;
    for (const auto& [configured_name, unused] : integration.requests.headers) {
      if (iequals(configured_name, name)) configured = true;
    }
    out += name + ": " + (configured ? std::string(observe::kRedacted) : observe::redact(value));
  }
  return out;
}

}  // namespace ferry::proxy
