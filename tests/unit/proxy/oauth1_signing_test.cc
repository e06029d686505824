// Signing the upstream requests of OAuth 1.0a connections.
#include "ferry/proxy/oauth1_signing.h"

#include <gtest/gtest.h>

namespace ferry::proxy {
namespace {

config::Integration signed_integration() {
  config::Integration integration;
  integration.key = "boards";
  integration.auth.auth_mode = config::AuthMode::oauth1;
  integration.auth.signature_method = "HMAC-SHA256";
  integration.oauth_client_id = "consumer";
  integration.oauth_client_secret = "consumer-secret";
  return integration;
}

store::Credentials oauth1_credentials() {
  store::Credentials credentials;
  credentials.type = store::CredentialType::oauth1;
  credentials.oauth_token = "user-token";
  credentials.oauth_token_secret = "user-secret";
  return credentials;
}

http::OutboundRequest request_to(std::string target) {
  http::OutboundRequest request;
  request.origin = {true, "api.provider.test", 443, false};
  request.method = http::Verb::post;
  request.target = std::move(target);
  request.host_header = "api.provider.test";
  request.headers.push_back({"Authorization", "Bearer from-somewhere", http::kFromCaller});
  request.headers.push_back({"Content-Type", "application/x-www-form-urlencoded; charset=utf-8",
                             http::kFromCaller});
  return request;
}

std::string authorization_of(const http::OutboundRequest& request) {
  std::string value;
  int count = 0;
  for (const auto& header : request.headers) {
    if (header.name == "Authorization") {
      value = header.value;
      ++count;
    }
  }
  EXPECT_EQ(count, 1);
  return value;
}

TEST(OAuth1Signer, OnlyForOauth1CredentialsWithoutAnIntegrationAuthorizationHeader) {
  EXPECT_TRUE(OAuth1Signer::for_call(signed_integration(), oauth1_credentials()));
  store::Credentials api_key;
  api_key.type = store::CredentialType::api_key;
  api_key.api_key = "k";
  EXPECT_FALSE(OAuth1Signer::for_call(signed_integration(), api_key));
  config::Integration trello = signed_integration();
  trello.requests.headers["Authorization"] = "OAuth oauth_consumer_key=\"${oauth_client_id}\"";
  EXPECT_FALSE(OAuth1Signer::for_call(trello, oauth1_credentials()));
}

TEST(OAuth1Signer, EverySignatureReplacesTheHeaderWithAFreshNonce) {
  auto signer = OAuth1Signer::for_call(signed_integration(), oauth1_credentials());
  ASSERT_TRUE(signer);
  http::OutboundRequest request = request_to("/1/cards?idList=abc");
  ASSERT_TRUE(OAuth1Signer::has_form_body(request));
  ASSERT_TRUE(signer->set_form_body("name=New%20card&pos=top"));
  ASSERT_TRUE(signer->sign(request));
  const std::string first = authorization_of(request);
  EXPECT_EQ(first.rfind("OAuth ", 0), 0u);
  EXPECT_NE(first.find("oauth_consumer_key=\"consumer\""), std::string::npos);
  EXPECT_NE(first.find("oauth_token=\"user-token\""), std::string::npos);
  EXPECT_NE(first.find("oauth_signature_method=\"HMAC-SHA256\""), std::string::npos);
  EXPECT_EQ(first.find("user-secret"), std::string::npos);
  ASSERT_TRUE(signer->sign(request));
  const std::string second = authorization_of(request);
  EXPECT_NE(first, second);  // a new nonce: a retry is not a replay
}

TEST(OAuth1Signer, AFormBodyThatIsNotAFormCannotBeSigned) {
  auto signer = OAuth1Signer::for_call(signed_integration(), oauth1_credentials());
  ASSERT_TRUE(signer);
  auto refused = signer->set_form_body("a=%zz");
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("cannot be signed"), std::string::npos);
  http::OutboundRequest json_request = request_to("/1/cards");
  json_request.headers.back().value = "application/json";
  EXPECT_FALSE(OAuth1Signer::has_form_body(json_request));
}

}  // namespace
}  // namespace ferry::proxy
