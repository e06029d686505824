// Fuzzes placeholder templates (auth/placeholders.h): Template::compile in text and path
// mode and in both scopes, then render() against a fixed connection whose values are
// hostile ("a/b?c#d", "..", spaces, non-ASCII).
//
// Input: one byte choosing the mode (bit 0), the scope (bit 1) and the credential type
// (the rest), then the template text.
// Oracle: no crash or sanitizer report; failures are Errc::invalid_argument; rendering is
// deterministic; and in path mode a substituted value never adds a raw '/', '?' or '#' that
// the template did not already have (values become one opaque segment).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ferry/auth/placeholders.h"
#include "fuzz_check.h"

namespace {

using ferry::Errc;
using ferry::auth::PlaceholderContext;
using ferry::auth::Template;
using nlohmann::json;

// Values chosen to break out of a path segment if they were inserted raw.
const char* const kHostile = "a/b?c=d#e f%2F..\\@\xc3\xa9";

ferry::store::Credentials credentials_of_kind(unsigned kind) {
  ferry::store::Credentials c;
  switch (kind % 5) {
    case 0:
      c.type = ferry::store::CredentialType::oauth2;
      c.access_token = kHostile;
      c.refresh_token = "..";
      c.raw = {{"scope", kHostile}, {"expires_in", 3600}, {"nested", {{"a", 1}}}};
      break;
    case 1:
      c.type = ferry::store::CredentialType::oauth1;
      c.oauth_token = "ot/1";
      c.oauth_token_secret = kHostile;
      break;
    case 2:
      c.type = ferry::store::CredentialType::api_key;
      c.api_key = kHostile;
      break;
    case 3:
      c.type = ferry::store::CredentialType::basic;
      c.username = "ada/lovelace";
      c.password = kHostile;
      break;
    default:
      break;  // NONE: every credential placeholder has no value
  }
  return c;
}

// Raw characters that end a path segment or the path.
std::size_t count_breakouts(std::string_view text) {
  std::size_t n = 0;
  for (const char c : text) {
    if (c == '/' || c == '?' || c == '#') ++n;
  }
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto mode = (data[0] & 1) != 0 ? Template::Mode::path : Template::Mode::text;
  const auto scope = (data[0] & 2) != 0 ? Template::Scope::connection_data
                                        : Template::Scope::integration_templates;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);

  static const json connection_config = {
      {"subdomain", kHostile}, {"cloudId", ".."}, {"port", 8443}, {"list", json::array({1})}};
  static const json metadata = {{"team", "core platform"}, {"beta", false}, {"%41", "pct"}};
  static const ferry::config::Integration integration = [] {
    ferry::config::Integration i;
    i.key = "jira";
    i.oauth_client_id = "client/id";
    i.oauth_client_secret = kHostile;
    i.app_api_key = "app?key";
    return i;
  }();
  const ferry::store::Credentials credentials = credentials_of_kind(data[0] >> 2);
  const PlaceholderContext context{credentials, connection_config, metadata, integration};

  auto compiled = Template::compile(text, mode, scope);
  if (!compiled) {
    FERRY_FUZZ_CHECK(compiled.error().code == Errc::invalid_argument, "compile: another Errc");
    return 0;
  }
  auto rendered = compiled->render(context);
  auto again = compiled->render(context);
  FERRY_FUZZ_CHECK(rendered.has_value() == again.has_value(), "render is not deterministic");
  if (!rendered) {
    FERRY_FUZZ_CHECK(rendered.error().code == Errc::invalid_argument, "render: another Errc");
    return 0;
  }
  FERRY_FUZZ_CHECK(*rendered == *again, "render is not deterministic");
  if (mode == Template::Mode::path) {
    FERRY_FUZZ_CHECK(count_breakouts(*rendered) <= count_breakouts(text),
                     "a substituted value added a path separator, query or fragment");
  }
  return 0;
}
