// The JWT check of provider webhook deliveries: HS256 under the client secret, time claims
// when present, and nothing else accepted (other algorithms, "none", tampering, odd shapes).
#include "ferry/webhooks/hs256_jwt.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "ferry/core/crypto.h"

namespace ferry::webhooks {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr std::string_view kSecret = "fake-client-secret";
const TimePoint kNow = TimePoint{} + std::chrono::seconds(1'800'000'000);

std::int64_t seconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

std::string sign(const json& header, const json& claims, std::string_view secret = kSecret) {
  const std::string signed_part =
      base64url_encode(header.dump()) + "." + base64url_encode(claims.dump());
  return signed_part + "." + base64url_encode(hmac_sha256(secret, signed_part));
}

const json kHeader = {{"alg", "HS256"}, {"typ", "JWT"}};

json claims_at(TimePoint now) {
  return {{"iss", "fake-client-id"}, {"iat", seconds(now)}, {"exp", seconds(now + 180s)}};
}

TEST(Hs256Jwt, ATokenSignedWithTheSecretAndStillValidPasses) {
  const Status verified = verify_hs256_jwt(sign(kHeader, claims_at(kNow)), kSecret, kNow);
  EXPECT_TRUE(verified) << verified.error().message;
  // No time claim at all: nothing to check but the signature.
  EXPECT_TRUE(verify_hs256_jwt(sign(kHeader, json::object()), kSecret, kNow));
}

TEST(Hs256Jwt, AnotherSecretOrAChangedPartIsRefused) {
  const auto refused = verify_hs256_jwt(sign(kHeader, claims_at(kNow), "other"), kSecret, kNow);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::unauthorized);
  EXPECT_NE(refused.error().message.find("signature"), std::string::npos);

  std::string token = sign(kHeader, claims_at(kNow));
  const std::size_t first = token.find('.');
  const std::size_t second = token.find('.', first + 1);
  json forged = claims_at(kNow);
  forged["iss"] = "someone-else";
  const std::string tampered = token.substr(0, first + 1) + base64url_encode(forged.dump()) +
                               token.substr(second);
  EXPECT_EQ(verify_hs256_jwt(tampered, kSecret, kNow).error().code, Errc::unauthorized);
}

TEST(Hs256Jwt, OnlyHs256IsAccepted) {
  for (const char* alg : {"none", "HS512", "RS256", "hs256", ""}) {
    json header = kHeader;
    header["alg"] = alg;
    EXPECT_FALSE(verify_hs256_jwt(sign(header, claims_at(kNow)), kSecret, kNow)) << alg;
  }
  // An unsigned token in "none" form.
  const std::string unsigned_token = base64url_encode(json{{"alg", "none"}}.dump()) + "." +
                                     base64url_encode(claims_at(kNow).dump()) + ".";
  EXPECT_FALSE(verify_hs256_jwt(unsigned_token, kSecret, kNow));
  json header = kHeader;
  header.erase("alg");
  EXPECT_FALSE(verify_hs256_jwt(sign(header, claims_at(kNow)), kSecret, kNow));
}

TEST(Hs256Jwt, TimeClaimsHoldWithinTheLeeway) {
  const std::string token = sign(kHeader, claims_at(kNow));
  EXPECT_TRUE(verify_hs256_jwt(token, kSecret, kNow + 180s + 59s));
  auto expired = verify_hs256_jwt(token, kSecret, kNow + 180s + 61s);
  ASSERT_FALSE(expired);
  EXPECT_NE(expired.error().message.find("expired"), std::string::npos);
  // Issued "in the future" by a clock that runs ahead: still valid until it expires.
  EXPECT_TRUE(verify_hs256_jwt(token, kSecret, kNow - 1h));
  json later = {{"nbf", seconds(kNow + 10min)}};
  EXPECT_FALSE(verify_hs256_jwt(sign(kHeader, later), kSecret, kNow));
  json text_exp = {{"exp", "never"}};
  EXPECT_FALSE(verify_hs256_jwt(sign(kHeader, text_exp), kSecret, kNow));
}

TEST(Hs256Jwt, MalformedTokensAndAMissingSecretAreRefusedWithoutEchoingTheToken) {
  const std::string good = sign(kHeader, claims_at(kNow));
  for (const std::string& token :
       {std::string(), std::string("abc"), std::string("a.b"), good + ".extra",
        std::string("!!.??.**"), std::string(".."), std::string(9000, 'a') + ".b.c",
        base64url_encode("[1,2]") + "." + base64url_encode("{}") + ".x",
        base64url_encode(kHeader.dump()) + "." + base64url_encode("not json") + ".x"}) {
    auto refused = verify_hs256_jwt(token, kSecret, kNow);
    ASSERT_FALSE(refused) << token.substr(0, 40);
    EXPECT_EQ(refused.error().code, Errc::unauthorized);
    if (token.size() > 8) {
      EXPECT_EQ(refused.error().message.find(token.substr(0, 8)), std::string::npos);
    }
  }
  // Claims that are not an object, under a good signature.
  const std::string signed_part = base64url_encode(kHeader.dump()) + "." + base64url_encode("[]");
  EXPECT_FALSE(verify_hs256_jwt(signed_part + "." + base64url_encode(hmac_sha256(kSecret, signed_part)),
                                kSecret, kNow));
  EXPECT_EQ(verify_hs256_jwt(good, "", kNow).error().code, Errc::invalid_argument);
}

}  // namespace
}  // namespace ferry::webhooks
