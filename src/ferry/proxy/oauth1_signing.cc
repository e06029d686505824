#include "ferry/proxy/oauth1_signing.h"

#include <algorithm>
#include <ctime>

#include "ferry/auth/oauth1/token_flow.h"
#include "ferry/core/strings.h"

namespace ferry::proxy {
namespace {

namespace oauth1 = auth::oauth1;

// Where the signed header's value comes from, for the sink check's message.
constexpr http::HeaderSource kFromSigning = "the OAuth 1.0a signature of the connection";

const http::OutboundHeader* find_header(const http::OutboundRequest& request,
                                        std::string_view name) {
  for (const auto& header : request.headers) {
    if (iequals(header.name, name)) return &header;
  }
  return nullptr;
}

}  // namespace

std::optional<OAuth1Signer> OAuth1Signer::for_call(const config::Integration& integration,
                                                   const store::Credentials& credentials) {
  if (credentials.type != store::CredentialType::oauth1) return std::nullopt;
  for (const auto& [name, value] : integration.requests.headers) {
    if (iequals(name, "authorization")) return std::nullopt;
  }
  OAuth1Signer signer;
  signer.credentials_ = {integration.oauth_client_id, integration.oauth_client_secret,
                         credentials.oauth_token, credentials.oauth_token_secret};
  signer.method_ = oauth1::signature_method_of(integration);
  return signer;
}

bool OAuth1Signer::has_form_body(const http::OutboundRequest& request) {
  const http::OutboundHeader* type = find_header(request, "content-type");
  if (!type) return false;
  const std::string value = to_lower(trim(type->value));
  return value.rfind("application/x-www-form-urlencoded", 0) == 0;
}

Status OAuth1Signer::set_form_body(std::string_view body) {
  auto parameters = oauth1::parse_form(body);
  if (!parameters) {
    return Error{Errc::invalid_argument,
                 "the request body is declared application/x-www-form-urlencoded but is not "
                 "a valid form, so it cannot be signed"};
  }
  form_parameters_ = std::move(*parameters);
  return ok();
}

Status OAuth1Signer::sign(http::OutboundRequest& request) const {
  const std::string url = std::string(request.origin.tls ? "https://" : "http://") +
                          request.host_header + request.target;
  oauth1::ProtocolInputs inputs;
  inputs.nonce = oauth1::oauth_nonce();
  inputs.timestamp = static_cast<long long>(std::time(nullptr));
  auto header = oauth1::authorization_header(
      {std::string(request.method_string()), url, form_parameters_}, credentials_, method_,
      inputs);
  if (!header) return header.error();
  auto& headers = request.headers;
  headers.erase(std::remove_if(headers.begin(), headers.end(),
                               [](const auto& h) { return iequals(h.name, "authorization"); }),
                headers.end());
  headers.push_back({"Authorization", std::move(*header), kFromSigning});
  return ok();
}

}  // namespace ferry::proxy
