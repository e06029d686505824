#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/auth/placeholders.h"
#include "ferry/core/result.h"
#include "ferry/http/client/outbound_request.h"
#include "ferry/proxy/prepared_integration.h"
#include "ferry/proxy/upstream_target.h"
#include "ferry/store/types.h"

namespace ferry::proxy {

// Where a call goes, decided before any credential is read: the base URL (the
// integration's, or the caller's Base-Url-Override) and the caller's endpoint proven to stay
// on it. Built once per call; refers to the prepared integration, which outlives it.
// Not copyable: the target refers to the override held here.
class TargetPlan {
 public:
  // Checks the caller's endpoint (still percent-encoded, placeholders unresolved) and raw
  // query against the integration's base URL, or `base_override` when not empty, and
  // compiles the placeholders of the endpoint and of the `forwarded` headers a caller or a
  // script wrote deliberately (Nango-Proxy-* headers, an action's headers) in
  // Scope::connection_data. Reads no credential.
  // Errc::invalid_argument when the base is not usable, the endpoint could leave it
  // (upstream_target.h lists the rules), or a placeholder is malformed, unknown or not
  // allowed there (a credential or client secret).
  static Result<std::unique_ptr<TargetPlan>> make(const PreparedIntegration& integration,
                                                  std::string_view base_override,
                                                  std::string_view endpoint,
                                                  std::string_view query,
                                                  std::vector<http::OutboundHeader> forwarded);

  const BaseUrl& base() const { return override_ ? *override_ : *integration_->base_url; }
  // base + endpoint as sent (placeholders unresolved) + "?query": what the activity log shows.
  const std::string& display_url() const { return display_url_; }
  const PreparedIntegration& integration() const { return *integration_; }

  // The upstream request for one connection: endpoint placeholders resolved (each value
  // encoded as one path segment) and the result guarded again, the integration's params
  // appended to the query, its headers added after the forwarded ones (replacing same-named
  // ones), each with where its value came from. The origin is marked egress_checked when
  // the base is the caller's Base-Url-Override. Errc::invalid_argument naming a placeholder
  // without a value, or an endpoint that resolves to something the guard rejects.
  Result<http::OutboundRequest> build(const store::Connection& connection, http::Verb method,
                                      std::string_view method_name) const;

 private:
  TargetPlan() = default;

  const PreparedIntegration* integration_ = nullptr;
  std::optional<BaseUrl> override_;
  std::string endpoint_;
  std::string query_;
  auth::Template endpoint_template_;
  // The guarded target when the endpoint has no placeholder (the common case): built once.
  std::optional<UpstreamTarget> fixed_target_;
  std::string display_url_;
  // The caller's headers; `value` is set for those whose text has placeholders.
  struct ForwardedHeader {
    http::OutboundHeader header;
    std::optional<auth::Template> value;
  };
  std::vector<ForwardedHeader> forwarded_;
};

// "Name: value, ..." for a debug log line; values of the integration's own headers (where
// credentials are injected) are shown as [REDACTED], the rest go through observe::redact.
std::string describe_headers(const std::vector<http::OutboundHeader>& headers,
                             const config::Integration& integration);

}  // namespace ferry::proxy
