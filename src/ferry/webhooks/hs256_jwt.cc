#include "ferry/webhooks/hs256_jwt.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "ferry/core/crypto.h"

namespace ferry::webhooks {
namespace {

using nlohmann::json;

// Far above any real token; bounds the work an unauthenticated caller can cause.
constexpr std::size_t kMaxTokenBytes = 8192;

Error refused(std::string_view why) {
  return Error{Errc::unauthorized, fmt::format("the webhook's JWT is not valid: {}", why)};
}

// A base64url part decoded and parsed as a JSON object.
std::optional<json> json_object_part(std::string_view part) {
  auto bytes = base64url_decode(part);
  if (!bytes) return std::nullopt;
  json parsed = json::parse(*bytes, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) return std::nullopt;
  return parsed;
}

// Seconds since the epoch at `now`.
double epoch_seconds(TimePoint now) {
  return std::chrono::duration<double>(now.time_since_epoch()).count();
}

Status check_time_claims(const json& claims, TimePoint now, std::chrono::seconds leeway) {
  const double at = epoch_seconds(now);
  const double slack = static_cast<double>(leeway.count());
  for (const char* name : {"exp", "nbf"}) {
    auto it = claims.find(name);
    if (it == claims.end()) continue;
    if (!it->is_number()) return refused(fmt::format("its {} claim is not a number", name));
    const double value = it->get<double>();
    const std::string_view claim = name;
    if (claim == "exp" && at > value + slack) return refused("it has expired");
    if (claim == "nbf" && at + slack < value) return refused("it is not valid yet");
  }
  return ok();
}

}  // namespace

Status verify_hs256_jwt(std::string_view token, std::string_view secret, TimePoint now,
                        std::chrono::seconds leeway) {
  if (secret.empty()) {
    return Error{Errc::invalid_argument,
                 "no client secret is configured, so the webhook's signature cannot be checked"};
  }
  if (token.empty()) return refused("there is none");
  if (token.size() > kMaxTokenBytes) return refused("it is longer than 8 KiB");
  const std::size_t first = token.find('.');
  const std::size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return refused("it is not three dot-separated parts");
  }
  const std::string_view header_part = token.substr(0, first);
  const std::string_view claims_part = token.substr(first + 1, second - first - 1);
  const std::string_view signature_part = token.substr(second + 1);

  auto header = json_object_part(header_part);
  if (!header) return refused("its header is not a base64url JSON object");
  auto alg = header->find("alg");
  if (alg == header->end() || !alg->is_string() || alg->get<std::string>() != "HS256") {
    return refused("its algorithm is not HS256");
  }
  auto signature = base64url_decode(signature_part);
  if (!signature) return refused("its signature is not base64url");
  const std::string signed_text = std::string(token.substr(0, second));
  if (!constant_time_equals(*signature, hmac_sha256(secret, signed_text))) {
    return refused("its signature does not match the integration's client secret");
  }
  auto claims = json_object_part(claims_part);
  if (!claims) return refused("its claims are not a base64url JSON object");
  return check_time_claims(*claims, now, leeway);
}

}  // namespace ferry::webhooks
