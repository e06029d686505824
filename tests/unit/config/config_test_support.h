#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>

#include "temp_folder.h"

namespace ferry::config::testing {

using ferry::testing::TempFolder;

// `text` with every "{dir}" replaced by `dir`.
inline std::string with_dir(std::string text, const std::filesystem::path& dir) {
  const std::string marker = "{dir}";
  for (std::size_t at = text.find(marker); at != std::string::npos; at = text.find(marker, at)) {
    text.replace(at, marker.size(), dir.string());
    at += dir.string().size();
  }
  return text;
}

// A folder blueprint used by several tests: two versions of an OAuth 2 provider.
inline const char* const kAcmeBlueprint = R"(# Acme test API.
name: acme
maintainer: Acme Tests
docs_url: https://acme.example/docs
versions:
  v0:
    comment: The first version.
    auth:
      auth_mode: OAUTH2
      authorization_url: https://auth.acme.example/authorize
      authorization_params:
        audience: api.acme.example
        prompt: consent
      token_url: https://auth.acme.example/token
    requests:
      base_url: https://api.acme.example/
      headers:
        authorization: Bearer ${access_token}
        accept: application/json
    oauth_scopes: [read, write]
    retry:
      max_attempts: 4
      retry_on: [429, 503]
  v1:
    comment: The second version.
    auth:
      auth_mode: OAUTH2
      authorization_url: https://auth.acme.example/v1/authorize
      token_url: https://auth.acme.example/v1/token
    requests:
      base_url: https://api.acme.example/v1/
)";

// An OAuth 1.0a folder blueprint.
inline const char* const kOldAuthBlueprint = R"(name: oldauth
maintainer: Tests
docs_url: https://old.example/docs
versions:
  v0:
    comment: OAuth 1.0a.
    auth:
      auth_mode: OAUTH1
      request_url: https://old.example/request
      authorization_url: https://old.example/authorize
      token_url: https://old.example/access
      signature_method: HMAC-SHA1
    requests:
      base_url: https://api.old.example/
)";

}  // namespace ferry::config::testing
