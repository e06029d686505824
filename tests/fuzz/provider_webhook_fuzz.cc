// Fuzzes what a provider's webhook delivery brings before and after it is trusted: the JWT
// of its Authorization header (webhooks/hs256_jwt.h) and the routing of its body to
// connections by site (atlassian/delivery_routing.h).
//
// Input: the first line is the token, the rest the delivery body (JSON).
// Oracle: no crash or sanitizer report; an accepted token's third part is the HMAC-SHA256 of
// the first two under the secret; every routed connection is on the delivery's site, and an
// unroutable delivery always says why.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/atlassian/delivery_routing.h"
#include "ferry/core/crypto.h"
#include "ferry/webhooks/hs256_jwt.h"
#include "fuzz_check.h"

namespace {

using nlohmann::json;

constexpr std::string_view kSecret = "fake-client-secret";

std::vector<ferry::store::Connection> connections() {
  std::vector<ferry::store::Connection> out;
  const std::pair<const char*, const char*> sites[] = {
      {"1324a887-45db-1bf4-1e99-ef0ff456d421", "https://acme.atlassian.net"},
      {"8f6e2c4a-93b1-4d7e-a5c2-0b9d3e7f1a64", "https://globex.atlassian.net"},
      {"", ""}};
  int n = 0;
  for (const auto& [cloud_id, url] : sites) {
    ferry::store::Connection c;
    c.provider_config_key = "jira";
    c.connection_id = "c" + std::to_string(n++);
    c.connection_config = {{"cloudId", cloud_id},
                           {"baseUrl", url},
                           {"jiraWebhooks",
                            json::array({{{"id", 10000 + n},
                                          {"events", {"jira:issue_created"}},
                                          {"jqlFilter", "project = PROJ"},
                                          {"expiresAt", "2030-01-01T00:00:00Z"},
                                          {"registeredAt", "2029-12-01T00:00:00Z"}}})}};
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<ferry::store::Connection> kConnections = connections();
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto [token, body] = ferry::fuzz::split_once(input, '\n');

  const ferry::TimePoint now{std::chrono::seconds(1774540800)};
  if (ferry::webhooks::verify_hs256_jwt(token, kSecret, now)) {
    const std::size_t last = token.rfind('.');
    FERRY_FUZZ_CHECK(last != std::string_view::npos, "an accepted token without parts");
    auto signature = ferry::base64url_decode(token.substr(last + 1));
    FERRY_FUZZ_CHECK(signature && *signature == ferry::hmac_sha256(kSecret, token.substr(0, last)),
                     "a token accepted without the secret's signature");
  }

  const json payload = json::parse(body, nullptr, false);
  const ferry::atlassian::Route route = ferry::atlassian::route_atlassian_delivery(payload, kConnections);
  FERRY_FUZZ_CHECK(route.connection_ids.empty() != route.reason.empty(),
                   "a route that is neither routed nor explained");
  if (!route.connection_ids.empty()) {
    const auto site = ferry::atlassian::delivery_site(payload);
    FERRY_FUZZ_CHECK(site.has_value(), "routed without a site");
    for (const std::string& id : route.connection_ids) {
      bool on_site = false;
      for (const auto& c : kConnections) {
        if (c.connection_id == id) on_site = ferry::atlassian::is_on_site(c.connection_config, *site);
      }
      FERRY_FUZZ_CHECK(on_site, "a delivery routed to a connection on another site");
    }
  }
  return 0;
}
